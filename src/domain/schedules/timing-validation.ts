// The timing rules shared by bulk and model-sync schedules: the frequency, the format of each field, and which fields
// each frequency needs. docs/schedules.md ("Timing fields") states the same rules in prose.
import type { ScheduleTiming } from './bulk-schedules.ts';
import { customCronIssues } from './custom-cron.ts';
import { isAbsent, joinPath, type ScheduleIssue } from './schedule-issues.ts';
import { DAY_NAMES, isOneOf, SCHEDULE_FREQUENCIES, TIMING_FIELDS, type TimingField } from './schedule-vocabulary.ts';

/** Fields each frequency needs; the others may be present (responses echo them) and are then checked but unused. */
const REQUIRED_TIMING_FIELDS: Readonly<Record<string, readonly TimingField[]>> = {
  manual: [],
  continuous: [],
  hourly: ['minute'],
  daily: ['hour', 'minute'],
  weekly: ['day_of_week', 'hour', 'minute'],
  // A custom schedule spells its cron expression out; `*` must be written, so that "every minute" is never an accident.
  custom: ['minute', 'hour'],
  builder: [],
  runafter: [],
  dbtcloud: [],
  multi: [],
};

interface NumberRange {
  min: number;
  max: number;
}

const NUMERIC_RANGES: Readonly<Record<Exclude<TimingField, 'day_of_week'>, NumberRange>> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  day_of_month: { min: 1, max: 31 },
  month: { min: 1, max: 12 },
};

/** "5" and "05" alike: one or two digits, as the migration guide's `"hour": "05"` and `"minute": "00"`. */
const ONE_OR_TWO_DIGITS = /^\d{1,2}$/;

/** A day of week outside `custom`: a day name in full or in three letters, any case, or its cron number 0–6 (0 = Sunday). */
export function dayOfWeekNumber(value: string): number | undefined {
  const lower = value.toLowerCase();
  const index = DAY_NAMES.findIndex((name) => name === lower || (lower.length === 3 && name.startsWith(lower)));
  if (index >= 0) return index;
  return /^[0-6]$/.test(value) ? Number(value) : undefined;
}

/** The number a non-custom numeric field holds, or undefined when it is not one in range. */
export function timingNumber(field: Exclude<TimingField, 'day_of_week'>, value: string): number | undefined {
  if (!ONE_OR_TWO_DIGITS.test(value)) return undefined;
  const number = Number(value);
  const range = NUMERIC_RANGES[field];
  return number >= range.min && number <= range.max ? number : undefined;
}

function formatIssue(field: TimingField, value: string): string | undefined {
  if (field === 'day_of_week') {
    return dayOfWeekNumber(value) === undefined
      ? 'must be a day name (e.g. "monday") or a number 0-6 (0 = Sunday)'
      : undefined;
  }
  if (timingNumber(field, value) !== undefined) return undefined;
  const range = NUMERIC_RANGES[field];
  return `must be a whole number ${range.min}-${range.max}, as a string (e.g. "0${range.min}")`;
}

function frequencyIssue(
  frequency: unknown,
  allowed: readonly string[],
  refusals: Readonly<Record<string, string>>,
): string | undefined {
  if (isAbsent(frequency)) return 'is required';
  if (typeof frequency === 'string' && allowed.includes(frequency)) return undefined;
  if (typeof frequency === 'string' && refusals[frequency]) return refusals[frequency];
  const known = isOneOf(SCHEDULE_FREQUENCIES, frequency) ? ' here' : '';
  return `must be one of ${allowed.join(', ')}${known}; got ${JSON.stringify(frequency)}`;
}

export interface TimingRules<F extends string> {
  frequencies: readonly F[];
  /** Why a known frequency is refused in this context, by frequency. */
  refusals?: Readonly<Record<string, string>>;
}

/**
 * Checks the timing part of `raw` and returns it with absent (`null`, `""`) fields dropped and the others verbatim,
 * or undefined after pushing the issues, each named under `path`.
 */
export function validateTiming<F extends string>(
  raw: Record<string, unknown>,
  path: string,
  rules: TimingRules<F>,
  issues: ScheduleIssue[],
): ScheduleTiming<F> | undefined {
  const before = issues.length;
  const frequency = raw.frequency;
  const frequencyProblem = frequencyIssue(frequency, rules.frequencies, rules.refusals ?? {});
  if (frequencyProblem) issues.push({ field: joinPath(path, 'frequency'), message: frequencyProblem });

  const timing: Partial<ScheduleTiming<F>> = {};
  for (const field of TIMING_FIELDS) {
    const value = raw[field];
    if (isAbsent(value)) continue;
    if (typeof value !== 'string') {
      issues.push({
        field: joinPath(path, field),
        message: `must be a string (the wire carries "${field === 'day_of_week' ? 'monday' : '05'}", not a number)`,
      });
      continue;
    }
    timing[field] = value;
  }
  if (frequencyProblem) return undefined;
  const valid = frequency as F;

  for (const field of REQUIRED_TIMING_FIELDS[valid] ?? []) {
    if (timing[field] === undefined && isAbsent(raw[field])) {
      issues.push({ field: joinPath(path, field), message: `is required when frequency is ${valid}` });
    }
  }
  if (valid === 'custom') {
    issues.push(...customCronIssues({ frequency: valid, ...timing }, path));
  } else {
    for (const field of TIMING_FIELDS) {
      const value = timing[field];
      if (value === undefined) continue;
      const problem = formatIssue(field, value);
      if (problem) issues.push({ field: joinPath(path, field), message: problem });
    }
  }
  return issues.length === before ? { frequency: valid, ...timing } : undefined;
}
