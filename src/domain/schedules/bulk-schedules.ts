// Ferry's one representation of a bulk sync's schedules, whatever API version the caller speaks. It is the 2025-09-18
// shape (docs/schedules.md): the 2024-02-08 `schedule` converts to and from it
// (legacy-bulk-schedule.ts), and the camelCase sub-resource maps onto it (schedule-api-shape.ts).
import type { BulkScheduleFrequency, ScheduleResyncMode, SelectiveMode } from './schedule-vocabulary.ts';

/**
 * When a schedule fires. The fields keep the wire's strings verbatim ("05" stays "05", "monday" stays "monday") so
 * that a response shows what the caller sent and version round trips are exact; next-run.ts reads them as numbers.
 * Which fields a frequency needs is decided in timing-validation.ts (and written down in docs/schedules.md).
 */
export interface ScheduleTiming<F extends string = BulkScheduleFrequency> {
  frequency: F;
  minute?: string;
  hour?: string;
  day_of_month?: string;
  month?: string;
  day_of_week?: string;
}

/** OutputActor: who created or last changed a schedule. */
export interface ScheduleActor {
  id?: string;
  name?: string;
  type?: string;
}

/** The default schedule: it always covers every schema and field, so it has no scope (docs/schedules.md). */
export interface DefaultSchedule extends ScheduleTiming {
  /** Present once stored; a request may send it back to keep the schedule's identity on update. */
  id?: string;
}

/** An additional schedule: its own timing, optionally narrowed to some schemas, optionally with its own resync mode. */
export interface AdditionalSchedule extends ScheduleTiming {
  id?: string;
  /** Absent and `none` both mean: not narrowed by incremental-ness. */
  selective_mode?: SelectiveMode;
  /** Schema ids this schedule is limited to; absent means every schema. Never empty (parsing drops `[]`). */
  schemas?: string[];
  /** What happens to the destination when this schedule fires; absent means a normal run. */
  resync_mode?: ScheduleResyncMode;
}

/** A bulk sync's schedule configuration as a request carries it: no server metadata. */
export interface BulkScheduleConfiguration {
  default_schedule: DefaultSchedule;
  additional_schedules: AdditionalSchedule[];
}

/** What persistence adds to each schedule and every response shows (created_at, updated_at, created_by, updated_by). */
export interface ScheduleRecordMetadata {
  id: string;
  created_at: string;
  updated_at: string;
  created_by?: ScheduleActor;
  updated_by?: ScheduleActor;
}

export type StoredDefaultSchedule = DefaultSchedule & ScheduleRecordMetadata;
export type StoredAdditionalSchedule = AdditionalSchedule & ScheduleRecordMetadata;

/** A bulk sync's schedules as stored and as the 2025-09-18 responses show them. */
export interface StoredBulkSchedules {
  default_schedule: StoredDefaultSchedule;
  additional_schedules: StoredAdditionalSchedule[];
}

/** Drops metadata (and ids), leaving the configuration that version conversions and comparisons are about. */
export function configurationOf(schedules: BulkScheduleConfiguration | StoredBulkSchedules): BulkScheduleConfiguration {
  return {
    default_schedule: timingOf(schedules.default_schedule),
    additional_schedules: schedules.additional_schedules.map((schedule) => ({
      ...timingOf(schedule),
      ...(schedule.selective_mode !== undefined ? { selective_mode: schedule.selective_mode } : {}),
      ...(schedule.schemas !== undefined ? { schemas: [...schedule.schemas] } : {}),
      ...(schedule.resync_mode !== undefined ? { resync_mode: schedule.resync_mode } : {}),
    })),
  };
}

/** The timing fields of any schedule-like object, without undefined keys. */
export function timingOf<F extends string>(schedule: ScheduleTiming<F>): ScheduleTiming<F> {
  const timing: ScheduleTiming<F> = { frequency: schedule.frequency };
  if (schedule.minute !== undefined) timing.minute = schedule.minute;
  if (schedule.hour !== undefined) timing.hour = schedule.hour;
  if (schedule.day_of_month !== undefined) timing.day_of_month = schedule.day_of_month;
  if (schedule.month !== undefined) timing.month = schedule.month;
  if (schedule.day_of_week !== undefined) timing.day_of_week = schedule.day_of_week;
  return timing;
}
