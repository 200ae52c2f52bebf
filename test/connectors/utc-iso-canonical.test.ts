// toUtcIso returns text already in its canonical form without parsing it. Both that shortcut and the full parse are
// checked against calendar arithmetic written here without Date (the proleptic Gregorian calendar, where year 0 is a
// leap year, as PostgreSQL's 1 BC is), for real instants and for text that only looks canonical (Feb 29 of common
// years, hour 24, second 60, month 13), which the full parse rolls over. Years 0000–0099 get their own runs: Date.UTC
// reads them as 1900–1999, whose 1900 is not a leap year.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toUtcIso } from '../../src/connectors/temporal-values.ts';

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysInMonth = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : monthDays[month - 1]!);

/** Days from 0000-01-01 to the first of `month` (1–12) in `year` (≥ 0), counted day by month by year. */
function daysBefore(year: number, month: number): number {
  let days = 0;
  for (let y = 0; y < year; y += 1) days += isLeap(y) ? 366 : 365;
  for (let m = 1; m < month; m += 1) days += daysInMonth(year, m);
  return days;
}

/** The civil date of a day count from 0000-01-01 (≥ 0). */
function civil(days: number): [number, number, number] {
  let year = 0;
  while (days >= (isLeap(year) ? 366 : 365)) {
    days -= isLeap(year) ? 366 : 365;
    year += 1;
  }
  let month = 1;
  while (days >= daysInMonth(year, month)) {
    days -= daysInMonth(year, month);
    month += 1;
  }
  return [year, month, days + 1];
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * The expected canonical text of year-month-day hour:minute:second (fields may overflow, month 0–13 and day 0–32
 * included) minus an offset in seconds, or undefined when it falls before year 0.
 */
function expected(fields: number[], micros: string, offset: number): string | undefined {
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  // Months past 12 or below 1 carry into the year, as Date does.
  const carriedYear = year + Math.floor((month - 1) / 12);
  const carriedMonth = ((((month - 1) % 12) + 12) % 12) + 1;
  if (carriedYear < 0) return undefined;
  const total =
    (daysBefore(carriedYear, carriedMonth) + day - 1) * 86_400 + hour * 3600 + minute * 60 + second - offset;
  if (total < 0) return undefined;
  const days = Math.floor(total / 86_400);
  const ofDay = total - days * 86_400;
  const [y, m, d] = civil(days);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(Math.floor(ofDay / 3600))}:${pad(Math.floor(ofDay / 60) % 60)}:${pad(
    ofDay % 60,
  )}.${micros}Z`;
}

const field = (low: number, high: number) => fc.integer({ min: low, max: high });
const offsets = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -14 * 60, max: 14 * 60 }).map((minutes) => minutes * 60),
);
const zoneText = (offset: number) => {
  if (offset === 0) return 'Z';
  const magnitude = Math.abs(offset) / 60;
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(magnitude / 60))}:${pad(magnitude % 60)}`;
};

function instants(years: fc.Arbitrary<number>) {
  return fc.record({
    fields: fc.tuple(years, field(0, 13), field(0, 32), field(0, 24), field(0, 60), field(0, 60)),
    micros: field(0, 999_999).map((value) => pad(value, 6)),
    offset: offsets,
  });
}

function textOf(fields: number[], micros: string, separator: string, zone: string): string {
  const [year, month, day, hour, minute, second] = fields as [number, number, number, number, number, number];
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}${separator}${pad(hour)}:${pad(minute)}:${pad(second)}.${micros}${zone}`;
}

function checkAgainstCalendar(years: fc.Arbitrary<number>, numRuns: number) {
  fc.assert(
    fc.property(instants(years), ({ fields, micros, offset }) => {
      const want = expected(fields, micros, offset);
      if (want === undefined) return;
      // Canonical-looking text in UTC takes the shortcut where it is a real instant; the space, or an offset, the
      // full parse.
      if (offset === 0) assert.equal(toUtcIso(textOf(fields, micros, 'T', 'Z')), want);
      assert.equal(toUtcIso(textOf(fields, micros, ' ', zoneText(offset))), want);
    }),
    { numRuns },
  );
}

test('toUtcIso agrees with calendar arithmetic over years 0000–9999', () => {
  checkAgainstCalendar(field(0, 9999), 5_000);
});

test('toUtcIso agrees with calendar arithmetic over years 0000–0099, where Date.UTC would read 1900–1999', () => {
  checkAgainstCalendar(field(0, 99), 5_000);
});

test('leap days: Feb 29 of leap years is kept, of common years rolls to Mar 1, whichever path reads it', () => {
  const leapDays = fc.record({
    year: fc.oneof(field(0, 99), field(0, 9999), fc.constantFrom(0, 4, 96, 100, 400, 1600, 1900, 2000, 2100, 2400)),
    offset: offsets,
  });
  fc.assert(
    fc.property(leapDays, ({ year, offset }) => {
      const want = expected([year, 2, 29, 12, 0, 0], '000000', offset);
      if (want === undefined) return;
      if (offset === 0) assert.equal(toUtcIso(`${pad(year, 4)}-02-29T12:00:00.000000Z`), want);
      assert.equal(toUtcIso(`${pad(year, 4)}-02-29 12:00:00${zoneText(offset)}`), want);
    }),
    { numRuns: 3_000 },
  );
  for (const text of [
    '0000-02-29T00:00:00.000000Z',
    '2024-02-29T00:00:00.000000Z',
    '2000-02-29T23:59:59.999999Z',
    '0000-01-01T00:00:00.000000Z',
  ])
    assert.equal(toUtcIso(text), text);
  assert.equal(toUtcIso('0000-02-29 00:00:00'), '0000-02-29T00:00:00.000000Z');
  assert.equal(toUtcIso('0000-02-28 23:30:00-01'), '0000-02-29T00:30:00.000000Z');
  assert.equal(toUtcIso('0099-12-31 23:30:00-01'), '0100-01-01T00:30:00.000000Z');
  assert.equal(toUtcIso('0000-01-01 00:30:00+01'), '-0001-12-31T23:30:00.000000Z');
  assert.equal(toUtcIso('2023-02-29T00:00:00.000000Z'), '2023-03-01T00:00:00.000000Z');
  assert.equal(toUtcIso('1900-02-29T00:00:00.000000Z'), '1900-03-01T00:00:00.000000Z');
  assert.equal(toUtcIso('0100-02-29T00:00:00.000000Z'), '0100-03-01T00:00:00.000000Z');
  assert.equal(toUtcIso('2024-01-01T24:00:00.000000Z'), '2024-01-02T00:00:00.000000Z');
});
