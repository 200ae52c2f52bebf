// Timestamps travel as ISO 8601 strings (see records.ts) because JS Date has millisecond precision
// and every SQL engine here keeps microseconds. These helpers normalise the text each driver gives:
// always six fractional digits, UTC with `Z` for zoned values, no offset for naive ones.

const timestampPattern =
  /^(-?\d{4,})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?(?::?\d{2})?)?$/i;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function micros(fraction: string | undefined): string {
  return (fraction ?? '').padEnd(6, '0').slice(0, 6);
}

function offsetSeconds(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replaceAll(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4, 6) || '0');
  return sign * (hours * 3600 + minutes * 60 + seconds);
}

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const canonicalUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Whether `text` is already what toUtcIso returns for it (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, a real calendar instant):
 * the common case, since drivers hand on values they normalised, checked without parsing a Date.
 */
function isCanonicalUtcIso(text: string): boolean {
  if (text.length !== 27 || !canonicalUtc.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const lastDay = month === 2 && leap ? 29 : daysInMonth[month - 1]!;
  return (
    day <= lastDay &&
    Number(text.slice(11, 13)) < 24 &&
    Number(text.slice(14, 16)) < 60 &&
    Number(text.slice(17, 19)) < 60
  );
}

/** `2024-03-04 07:06:07.5+02` → `2024-03-04T05:06:07.500000Z`. Unparseable text is returned as is. */
export function toUtcIso(text: string): string {
  if (isCanonicalUtcIso(text)) return text;
  const match = timestampPattern.exec(text.trim());
  if (!match) return text;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  // setUTCFullYear takes years 0–99 as they are (Date.UTC would read them as 1900–1999, and a later shift back by
  // 1900 years would put 0000-02-29, a leap day of the proleptic calendar, on 1900's March 1st). Out-of-range
  // fields roll over (Feb 29 of a common year, hour 24), and the offset is taken off the seconds.
  const utc = new Date(0);
  utc.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  utc.setUTCHours(Number(hour), Number(minute), Number(second) - offsetSeconds(zone), 0);
  const yearText = utc.getUTCFullYear() < 0 ? `-${pad(-utc.getUTCFullYear(), 4)}` : pad(utc.getUTCFullYear(), 4);
  return `${yearText}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}T${pad(utc.getUTCHours())}:${pad(
    utc.getUTCMinutes(),
  )}:${pad(utc.getUTCSeconds())}.${micros(fraction)}Z`;
}

/** `2024-03-04 05:06:07.12` → `2024-03-04T05:06:07.120000` (naive: no zone is added or removed). */
export function toNaiveIso(text: string): string {
  const match = timestampPattern.exec(text.trim());
  if (!match) return text;
  const [, year, month, day, hour, minute, second, fraction] = match;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}.${micros(fraction)}`;
}

/** A zoned ISO value as a naive UTC `YYYY-MM-DD HH:MM:SS.ffffff`, for engines without zones (MySQL DATETIME). */
export function toUtcNaiveSql(value: string): string {
  const iso = /[zZ]|[+-]\d{2}(:?\d{2})?$/.test(value.trim()) ? toUtcIso(value) : toNaiveIso(value);
  return iso.replace('T', ' ').replace(/Z$/, '');
}

/** Dates as `YYYY-MM-DD`, whatever time part a driver appends. */
export function toIsoDate(text: string): string {
  return text.slice(0, 10);
}

const digitAt = (text: string, index: number) => {
  const code = text.charCodeAt(index);
  return code >= 48 && code <= 57;
};

/**
 * `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1 to 6 digits and no zone (the text MySQL sends for DATETIME
 * and TIMESTAMP) as `YYYY-MM-DDTHH:MM:SS.ffffff`, checked character by character: several times cheaper than the
 * regular expression of toNaiveIso, whose result it equals. Undefined for any other shape.
 */
export function plainSqlTimestampToIso(text: string): string | undefined {
  const length = text.length;
  if (length !== 19 && (length < 21 || length > 26)) return undefined;
  for (let index = 0; index < 19; index += 1) {
    const ok =
      index === 4 || index === 7
        ? text[index] === '-'
        : index === 10
          ? text[index] === ' '
          : index === 13 || index === 16
            ? text[index] === ':'
            : digitAt(text, index);
    if (!ok) return undefined;
  }
  if (length === 19) return `${text.slice(0, 10)}T${text.slice(11)}.000000`;
  if (text[19] !== '.') return undefined;
  for (let index = 20; index < length; index += 1) if (!digitAt(text, index)) return undefined;
  const iso = `${text.slice(0, 10)}T${text.slice(11)}`;
  return length === 26 ? iso : iso.padEnd(26, '0');
}
