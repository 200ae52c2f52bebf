// nextRunAt for every frequency, on fixed UTC dates: month ends, leap days, and DST dates that must not matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTINUOUS_MINIMUM_GAP_MS, nextRunAt } from '../../../src/domain/schedules/index.ts';

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

test('manual, runafter, dbtcloud, builder and multi have no clock time; an absent frequency is manual', () => {
  const after = at('2024-05-01T00:00:00Z');
  for (const frequency of ['manual', 'runafter', 'dbtcloud', 'builder', 'multi']) {
    assert.equal(nextRunAt({ frequency, hour: '5', minute: '0' }, after), null, frequency);
  }
  assert.equal(nextRunAt({}, after), null);
});

test('continuous runs the minimum gap after the previous run, or the gap the scheduler passes', () => {
  const after = at('2024-05-01T10:00:30.250Z');
  assert.equal(CONTINUOUS_MINIMUM_GAP_MS, 60_000);
  assert.equal(iso(nextRunAt({ frequency: 'continuous' }, after)), '2024-05-01T10:01:30.250Z');
  assert.equal(
    iso(nextRunAt({ frequency: 'continuous' }, after, { continuousGapMs: 5 * 60_000 })),
    '2024-05-01T10:05:30.250Z',
  );
});

test('hourly fires at `minute` past each hour, strictly after `after`', () => {
  const schedule = { frequency: 'hourly', minute: '15' };
  assert.equal(iso(nextRunAt(schedule, at('2024-05-01T10:00:00Z'))), '2024-05-01T10:15:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2024-05-01T10:15:00Z'))), '2024-05-01T11:15:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2024-05-01T10:14:59.999Z'))), '2024-05-01T10:15:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2024-12-31T23:30:00Z'))), '2025-01-01T00:15:00.000Z');
});

test('daily reads "05"/"00" as 05:00 UTC and rolls over month, year and leap day', () => {
  const schedule = { frequency: 'daily', hour: '05', minute: '00' };
  assert.equal(iso(nextRunAt(schedule, at('2024-01-31T06:00:00Z'))), '2024-02-01T05:00:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2024-02-28T05:00:00Z'))), '2024-02-29T05:00:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2023-02-28T05:00:00Z'))), '2023-03-01T05:00:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2024-12-31T23:59:59Z'))), '2025-01-01T05:00:00.000Z');
  assert.equal(iso(nextRunAt(schedule, at('2024-06-10T04:59:00Z'))), '2024-06-10T05:00:00.000Z');
});

test('daily and hourly ignore daylight-saving changes: everything is UTC', () => {
  // 2024-03-31 (EU) and 2024-03-10 (US) change clocks at 01:00/02:00 local; UTC days stay 24 hours long.
  const daily = { frequency: 'daily', hour: '1', minute: '30' };
  assert.equal(iso(nextRunAt(daily, at('2024-03-30T01:30:00Z'))), '2024-03-31T01:30:00.000Z');
  assert.equal(iso(nextRunAt(daily, at('2024-03-31T01:30:00Z'))), '2024-04-01T01:30:00.000Z');
  assert.equal(iso(nextRunAt(daily, at('2024-03-10T01:30:00Z'))), '2024-03-11T01:30:00.000Z');
  const hourly = { frequency: 'hourly', minute: '0' };
  assert.equal(iso(nextRunAt(hourly, at('2024-10-27T00:00:00Z'))), '2024-10-27T01:00:00.000Z');
  assert.equal(iso(nextRunAt(hourly, at('2024-10-27T01:00:00Z'))), '2024-10-27T02:00:00.000Z');
});

test('weekly accepts "monday", "Mon" and "1" alike', () => {
  // 2024-05-01 is a Wednesday.
  const after = at('2024-05-01T12:00:00Z');
  for (const day of ['monday', 'Mon', 'MONDAY', '1']) {
    assert.equal(
      iso(nextRunAt({ frequency: 'weekly', day_of_week: day, hour: '12', minute: '30' }, after)),
      '2024-05-06T12:30:00.000Z',
      day,
    );
  }
  assert.equal(
    iso(nextRunAt({ frequency: 'weekly', day_of_week: 'wednesday', hour: '12', minute: '0' }, after)),
    '2024-05-08T12:00:00.000Z',
  );
  assert.equal(
    iso(nextRunAt({ frequency: 'weekly', day_of_week: 'sunday', hour: '0', minute: '0' }, at('2024-12-29T00:00:00Z'))),
    '2025-01-05T00:00:00.000Z',
  );
});

test('custom runs the cron expression of its fields in UTC', () => {
  const every15 = { frequency: 'custom', minute: '*/15', hour: '*' };
  assert.equal(iso(nextRunAt(every15, at('2024-05-01T10:07:00Z'))), '2024-05-01T10:15:00.000Z');
  const weekdays = { frequency: 'custom', minute: '0', hour: '9', day_of_week: 'mon-fri' };
  assert.equal(iso(nextRunAt(weekdays, at('2024-05-03T09:00:00Z'))), '2024-05-06T09:00:00.000Z');
  const fullNames = { frequency: 'custom', minute: '0', hour: '9', day_of_week: 'monday,friday' };
  assert.equal(iso(nextRunAt(fullNames, at('2024-05-01T00:00:00Z'))), '2024-05-03T09:00:00.000Z');
});

test('custom monthly: month ends, the 31st skips short months, L is the last day, 29 February waits for a leap year', () => {
  const first = { frequency: 'custom', minute: '0', hour: '5', day_of_month: '1' };
  assert.equal(iso(nextRunAt(first, at('2024-01-31T23:00:00Z'))), '2024-02-01T05:00:00.000Z');
  const thirtyFirst = { frequency: 'custom', minute: '0', hour: '0', day_of_month: '31' };
  assert.equal(iso(nextRunAt(thirtyFirst, at('2024-01-31T00:00:00Z'))), '2024-03-31T00:00:00.000Z');
  assert.equal(iso(nextRunAt(thirtyFirst, at('2024-04-01T00:00:00Z'))), '2024-05-31T00:00:00.000Z');
  const last = { frequency: 'custom', minute: '0', hour: '0', day_of_month: 'L' };
  assert.equal(iso(nextRunAt(last, at('2024-02-01T00:00:00Z'))), '2024-02-29T00:00:00.000Z');
  assert.equal(iso(nextRunAt(last, at('2023-02-01T00:00:00Z'))), '2023-02-28T00:00:00.000Z');
  const leapDay = { frequency: 'custom', minute: '0', hour: '0', day_of_month: '29', month: '2' };
  assert.equal(iso(nextRunAt(leapDay, at('2024-02-29T00:00:00Z'))), '2028-02-29T00:00:00.000Z');
  const yearly = { frequency: 'custom', minute: '0', hour: '0', day_of_month: '1', month: '1' };
  assert.equal(iso(nextRunAt(yearly, at('2024-06-01T00:00:00Z'))), '2025-01-01T00:00:00.000Z');
});

test('an unvalidated schedule with a broken field throws instead of guessing', () => {
  assert.throws(() => nextRunAt({ frequency: 'daily', hour: '24', minute: '0' }, new Date()), /hour is invalid/);
  assert.throws(() => nextRunAt({ frequency: 'hourly' }, new Date()), /minute is missing/);
  assert.throws(() => nextRunAt({ frequency: 'fortnightly' }, new Date()), /unknown schedule frequency/);
});
