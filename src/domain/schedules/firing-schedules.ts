// The schedules of a sync that the scheduler fires, each with a stable id and a fingerprint of what decides when it
// fires. Everything else (manual, builder, dbtcloud) runs only when started, so it has no firing schedule.
import type { ScheduleTiming, StoredAdditionalSchedule, StoredBulkSchedules } from './bulk-schedules.ts';
import { timingOf } from './bulk-schedules.ts';
import type { ModelSyncSchedule } from './model-sync-schedule.ts';
import { FREQUENCY_TRIGGERS } from './next-run.ts';
import type { ScheduleFrequency, ScheduleResyncMode, SelectiveMode } from './schedule-vocabulary.ts';

/** A model sync has one schedule; this is its id in the scheduler's state. */
const MODEL_SYNC_SCHEDULE_ID = 'schedule';

/** What an additional bulk schedule narrows its run to; absent on the default schedule and on model syncs. */
export interface FiringScope {
  selective_mode?: SelectiveMode;
  schemas?: string[];
  resync_mode?: ScheduleResyncMode;
}

interface FiringRunAfter {
  syncIds: string[];
  bulkSyncIds: string[];
  /** Fire only for a preceding execution that completed. */
  successOnly: boolean;
}

export interface FiringSchedule {
  scheduleId: string;
  /** continuous, hourly, daily, weekly, custom, or (model syncs) runafter. */
  frequency: ScheduleFrequency;
  timing: ScheduleTiming<string>;
  /** JSON of the fields that decide when it fires: a different fingerprint is a new schedule. */
  fingerprint: string;
  scope?: FiringScope;
  runAfter?: FiringRunAfter;
}

function firesByItself(frequency: string | undefined): boolean {
  if (frequency === 'runafter') return true;
  const trigger = FREQUENCY_TRIGGERS[(frequency ?? 'manual') as ScheduleFrequency]?.trigger;
  return trigger === 'clock' || trigger === 'previous-run';
}

/** The default schedule and every additional schedule that fires by the clock or continuously. */
export function bulkFiringSchedules(schedules: StoredBulkSchedules): FiringSchedule[] {
  const all = [schedules.default_schedule, ...schedules.additional_schedules];
  return all
    .filter((schedule) => firesByItself(schedule.frequency))
    .map((schedule, index) => {
      const timing = timingOf(schedule);
      const narrowed = schedule as StoredAdditionalSchedule;
      const scope: FiringScope = {};
      if (narrowed.selective_mode !== undefined) scope.selective_mode = narrowed.selective_mode;
      if (narrowed.schemas !== undefined) scope.schemas = [...narrowed.schemas];
      if (narrowed.resync_mode !== undefined) scope.resync_mode = narrowed.resync_mode;
      return {
        scheduleId: schedule.id ?? `schedule-${index}`,
        frequency: timing.frequency as ScheduleFrequency,
        timing,
        fingerprint: JSON.stringify(timing),
        ...(schedule === schedules.default_schedule ? {} : { scope }),
      };
    });
}

/** A model sync's schedule when it fires by itself (clock, continuous or runafter); [] otherwise. */
export function modelSyncFiringSchedules(schedule: ModelSyncSchedule): FiringSchedule[] {
  const frequency = schedule.frequency ?? 'manual';
  if (!firesByItself(frequency)) return [];
  const timing = timingOf({ ...schedule, frequency });
  if (frequency !== 'runafter')
    return [
      {
        scheduleId: MODEL_SYNC_SCHEDULE_ID,
        frequency,
        timing,
        fingerprint: JSON.stringify(timing),
      },
    ];
  const runAfter: FiringRunAfter = {
    syncIds: [...(schedule.run_after?.sync_ids ?? [])].sort(),
    bulkSyncIds: [...(schedule.run_after?.bulk_sync_ids ?? [])].sort(),
    successOnly: schedule.run_after_success_only === true,
  };
  return [
    {
      scheduleId: MODEL_SYNC_SCHEDULE_ID,
      frequency,
      timing,
      fingerprint: JSON.stringify({ frequency, runAfter }),
      runAfter,
    },
  ];
}
