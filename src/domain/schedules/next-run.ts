// When a schedule next fires, in UTC. Every schedule time is UTC (2025 types: hour "[0-23, UTC]"), so there is no
// time zone and no daylight-saving shift anywhere here. The scheduler stores the result as the sync's next run.
import type { ScheduleTiming } from './bulk-schedules.ts';
import { compileCron, cronPatternOf } from './custom-cron.ts';
import type { ScheduleFrequency } from './schedule-vocabulary.ts';
import { dayOfWeekNumber, timingNumber } from './timing-validation.ts';

/**
 * Continuous means "run again as soon as the previous run finishes, at most every few minutes" (the API's concepts
 * guide). The scheduler asks for the next run when a run finishes; one minute keeps a failing or empty sync from
 * spinning while still reading as continuous. The scheduler may pass its configured value instead.
 */
export const CONTINUOUS_MINIMUM_GAP_MS = 60_000;

/** How each frequency is triggered; `clock` frequencies are the only ones nextRunAt answers with a time. */
export const FREQUENCY_TRIGGERS: Readonly<
  Record<ScheduleFrequency, { trigger: 'clock' | 'previous-run' | 'none'; why: string }>
> = {
  manual: { trigger: 'none', why: 'runs only when started through the API' },
  continuous: { trigger: 'previous-run', why: 'runs again a minimum gap after the previous run finishes' },
  hourly: { trigger: 'clock', why: 'every hour at `minute`' },
  daily: { trigger: 'clock', why: 'every day at `hour`:`minute`' },
  weekly: { trigger: 'clock', why: 'every `day_of_week` at `hour`:`minute`' },
  custom: { trigger: 'clock', why: 'the cron expression the five timing fields spell' },
  runafter: { trigger: 'none', why: 'fired by the completion of the syncs in `run_after`, not by the clock' },
  dbtcloud: {
    trigger: 'none',
    why: 'fired by a dbt Cloud job (`connection_id`, `job_id`); Ferry has no dbt Cloud integration, so it runs only when started',
  },
  builder: {
    trigger: 'none',
    why: 'no spec document says what builder fires on; Ferry keeps the fields for round trips and runs it only when started',
  },
  multi: { trigger: 'none', why: 'a 2024 wrapper: its items are converted to schedules, which fire on their own' },
};

export interface NextRunOptions {
  /** Gap after `after` for continuous schedules; default CONTINUOUS_MINIMUM_GAP_MS. */
  continuousGapMs?: number;
}

/**
 * The first time strictly after `after` at which the schedule fires, or null when no clock fires it (see
 * FREQUENCY_TRIGGERS). An absent frequency (a model sync's `Schedule` may omit it) is manual. Expects a validated
 * schedule: a field that does not parse throws a TypeError.
 */
export function nextRunAt(
  schedule: Omit<ScheduleTiming<string>, 'frequency'> & { frequency?: string },
  after: Date,
  options: NextRunOptions = {},
): Date | null {
  const frequency = (schedule.frequency ?? 'manual') as ScheduleFrequency;
  if (frequency === 'continuous')
    return new Date(after.getTime() + (options.continuousGapMs ?? CONTINUOUS_MINIMUM_GAP_MS));
  const pattern = clockPattern(frequency, schedule);
  if (pattern === undefined) return null;
  return compileCron(pattern).nextRun(after);
}

function clockPattern(
  frequency: ScheduleFrequency,
  schedule: Omit<ScheduleTiming<string>, 'frequency'>,
): string | undefined {
  switch (frequency) {
    case 'hourly':
      return `${minuteOf(schedule)} * * * *`;
    case 'daily':
      return `${minuteOf(schedule)} ${hourOf(schedule)} * * *`;
    case 'weekly':
      return `${minuteOf(schedule)} ${hourOf(schedule)} * * ${dayOfWeekOf(schedule)}`;
    case 'custom':
      return cronPatternOf({ frequency, ...schedule });
    default:
      if (!(frequency in FREQUENCY_TRIGGERS))
        throw new TypeError(`unknown schedule frequency ${JSON.stringify(frequency)}`);
      return undefined;
  }
}

function minuteOf(schedule: Omit<ScheduleTiming<string>, 'frequency'>): number {
  return required(
    'minute',
    schedule.minute === undefined ? undefined : timingNumber('minute', schedule.minute),
    schedule.minute,
  );
}

function hourOf(schedule: Omit<ScheduleTiming<string>, 'frequency'>): number {
  return required('hour', schedule.hour === undefined ? undefined : timingNumber('hour', schedule.hour), schedule.hour);
}

function dayOfWeekOf(schedule: Omit<ScheduleTiming<string>, 'frequency'>): number {
  return required(
    'day_of_week',
    schedule.day_of_week === undefined ? undefined : dayOfWeekNumber(schedule.day_of_week),
    schedule.day_of_week,
  );
}

function required(field: string, value: number | undefined, raw: string | undefined): number {
  if (value === undefined)
    throw new TypeError(`schedule ${field} ${raw === undefined ? 'is missing' : `is invalid: ${JSON.stringify(raw)}`}`);
  return value;
}
