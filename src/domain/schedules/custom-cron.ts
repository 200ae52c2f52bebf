// `custom` schedules. No schedule type in either version has a cron field: the five timing fields together are the
// cron expression, each holding one cron field (minute "*/15", day_of_week "mon-fri"). croner evaluates it in UTC.
import { Cron } from 'croner';
import type { ScheduleTiming } from './bulk-schedules.ts';
import { joinPath, type ScheduleIssue } from './schedule-issues.ts';
import { DAY_NAMES, TIMING_FIELDS, type TimingField } from './schedule-vocabulary.ts';

/**
 * One cron field: digits, letters (month and day names, L, W), `*`, `,`, `-`, `/`, `#`, `?`. Whitespace would shift
 * the fields of the joined pattern and `@` would turn it into a nickname, so both are refused up front.
 */
const CRON_FIELD = /^[0-9A-Za-z*,\-/#?]+$/;

/** Full day names ("monday", as the spec's examples write days) become croner's three-letter names. */
const FULL_DAY_NAME = new RegExp(`\\b(${DAY_NAMES.join('|')})\\b`, 'gi');

function cronField(timing: ScheduleTiming<string>, field: TimingField): string {
  const value = timing[field];
  if (value === undefined || value === '') return '*';
  return field === 'day_of_week' ? value.replace(FULL_DAY_NAME, (name) => name.slice(0, 3)) : value;
}

/** `minute hour day_of_month month day_of_week`; an absent field is `*`. */
export function cronPatternOf(timing: ScheduleTiming<string>): string {
  return TIMING_FIELDS.map((field) => cronField(timing, field)).join(' ');
}

/**
 * A paused, function-less job: croner starts no timer for it. Five parts only (no seconds or years: the wire has five
 * fields); day_of_month and day_of_week combine with OR, as in Vixie cron (croner's default).
 */
export function compileCron(pattern: string): Cron {
  return new Cron(pattern, { timezone: 'UTC', mode: '5-part', paused: true });
}

/** Far enough back that any pattern which can ever fire has a next run after it. */
const NEVER_FIRES_PROBE = new Date(Date.UTC(2000, 0, 1));

/** Issues of a custom schedule's cron fields, each named by its own field path where croner lets us tell. */
export function customCronIssues(timing: ScheduleTiming<string>, path: string): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  for (const field of TIMING_FIELDS) {
    const value = timing[field];
    if (value === undefined) continue;
    if (!CRON_FIELD.test(value)) {
      issues.push({ field: joinPath(path, field), message: `is not a cron field: ${JSON.stringify(value)}` });
      continue;
    }
    // Parse the field alone, every other field `*`, so that the error names the field at fault.
    const alone = TIMING_FIELDS.map((other) => (other === field ? cronField(timing, field) : '*')).join(' ');
    try {
      compileCron(alone);
    } catch (error: unknown) {
      issues.push({
        field: joinPath(path, field),
        message: `is not a valid cron ${field.replace(/_/g, ' ')}: ${messageOf(error)}`,
      });
    }
  }
  if (issues.length > 0) return issues;
  const pattern = cronPatternOf(timing);
  try {
    if (compileCron(pattern).nextRun(NEVER_FIRES_PROBE) === null) {
      issues.push({ field: joinPath(path, 'day_of_month'), message: `the cron expression "${pattern}" never fires` });
    }
  } catch (error: unknown) {
    issues.push({
      field: path || 'frequency',
      message: `the cron expression "${pattern}" is invalid: ${messageOf(error)}`,
    });
  }
  return issues;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
}
