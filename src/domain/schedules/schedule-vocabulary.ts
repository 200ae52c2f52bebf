// The closed vocabularies of schedules, with the spec's wire values (the 2025-09-18 API reference; identical in
// 2024-02-08). `as const` objects plus unions, as everywhere in Ferry (CONTRIBUTING.md).

/** ScheduleFrequency: every value either version's enum carries. */
export const ScheduleFrequency = {
  manual: 'manual',
  continuous: 'continuous',
  hourly: 'hourly',
  daily: 'daily',
  weekly: 'weekly',
  custom: 'custom',
  builder: 'builder',
  runafter: 'runafter',
  multi: 'multi',
  dbtcloud: 'dbtcloud',
} as const;
export type ScheduleFrequency = (typeof ScheduleFrequency)[keyof typeof ScheduleFrequency];
export const SCHEDULE_FREQUENCIES: readonly ScheduleFrequency[] = Object.values(ScheduleFrequency);

/**
 * Frequencies a bulk sync schedule may carry in 2025-09-18. `multi` is gone (the migration guide: "the legacy multi
 * schedule type is no longer accepted"); `runafter` and `dbtcloud` need `run_after` or `connection_id`/`job_id`, which
 * no bulk schedule type has, so such a schedule could never fire.
 */
export const BULK_SCHEDULE_FREQUENCIES = [
  'manual',
  'continuous',
  'hourly',
  'daily',
  'weekly',
  'custom',
  'builder',
] as const;
export type BulkScheduleFrequency = (typeof BULK_SCHEDULE_FREQUENCIES)[number];

/** Frequencies of a model-sync `Schedule`. `multi` itemises a bulk sync's schema kinds and means nothing here. */
export const MODEL_SYNC_SCHEDULE_FREQUENCIES = [
  'manual',
  'continuous',
  'hourly',
  'daily',
  'weekly',
  'custom',
  'builder',
  'runafter',
  'dbtcloud',
] as const;
export type ModelSyncScheduleFrequency = (typeof MODEL_SYNC_SCHEDULE_FREQUENCIES)[number];

/** BulkSelectiveMode: which schemas an additional schedule (or a 2024 multi item) covers. */
export const SelectiveMode = {
  none: 'none',
  incrementalFields: 'incrementalFields',
  nonincrementalFields: 'nonincrementalFields',
} as const;
export type SelectiveMode = (typeof SelectiveMode)[keyof typeof SelectiveMode];
export const SELECTIVE_MODES: readonly SelectiveMode[] = Object.values(SelectiveMode);

/** BulkScheduleSyncMode: `resync_mode` of an additional schedule (`syncMode` in the camelCase sub-resource). */
export const ScheduleResyncMode = {
  normal: 'normal',
  refetch: 'refetch',
  resync: 'resync',
  rebuild: 'rebuild',
} as const;
export type ScheduleResyncMode = (typeof ScheduleResyncMode)[keyof typeof ScheduleResyncMode];
export const SCHEDULE_RESYNC_MODES: readonly ScheduleResyncMode[] = Object.values(ScheduleResyncMode);

/** The five timing fields, in cron order. They are strings on the wire ("05", "monday"). */
export const TIMING_FIELDS = ['minute', 'hour', 'day_of_month', 'month', 'day_of_week'] as const;
export type TimingField = (typeof TIMING_FIELDS)[number];

/** Day names as the spec's examples spell them ("monday"), indexed by cron day number (0 = Sunday). */
export const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}
