// The schedules domain: pure rules for bulk and model sync schedules, in both API versions. No I/O.
export {
  ScheduleFrequency,
  SCHEDULE_FREQUENCIES,
  BULK_SCHEDULE_FREQUENCIES,
  MODEL_SYNC_SCHEDULE_FREQUENCIES,
  SelectiveMode,
  SELECTIVE_MODES,
  ScheduleResyncMode,
  SCHEDULE_RESYNC_MODES,
  TIMING_FIELDS,
  DAY_NAMES,
} from './schedule-vocabulary.ts';
export type { BulkScheduleFrequency, ModelSyncScheduleFrequency, TimingField, DayName } from './schedule-vocabulary.ts';

export { configurationOf, timingOf } from './bulk-schedules.ts';
export type {
  ScheduleTiming,
  ScheduleActor,
  DefaultSchedule,
  AdditionalSchedule,
  BulkScheduleConfiguration,
  ScheduleRecordMetadata,
  StoredDefaultSchedule,
  StoredAdditionalSchedule,
  StoredBulkSchedules,
} from './bulk-schedules.ts';

export type { ScheduleIssue, Validated } from './schedule-issues.ts';
export { REQUIRED_TIMING_FIELDS } from './timing-validation.ts';
export { cronPatternOf } from './custom-cron.ts';
export { validateBulkScheduleRequest } from './bulk-schedule-request.ts';
export { toBulkSchedulesResponse } from './bulk-schedule-response.ts';
export type {
  BulkSchedulesResponse,
  DefaultScheduleResponse,
  AdditionalScheduleResponse,
} from './bulk-schedule-response.ts';

export { validateLegacyBulkSchedule } from './legacy-bulk-schedule.ts';
export type {
  LegacyBulkSchedule,
  LegacyMultiScheduleConfiguration,
  LegacyItemizedSchedule,
} from './legacy-bulk-schedule.ts';
export {
  upgradeLegacySchedule,
  downgradeToLegacySchedule,
  hasExactLegacyForm,
  canonicalLegacySchedule,
} from './legacy-schedule-conversion.ts';

export {
  validateScheduleApiRequest,
  applyScheduleApiUpdate,
  toBulkBulkSyncSchedule,
  fromBulkBulkSyncSchedule,
} from './schedule-api-shape.ts';
export type { BulkSyncScheduleApi, BulkBulkSyncSchedule, ScheduleApiRequest } from './schedule-api-shape.ts';

export { nextRunAt, CONTINUOUS_MINIMUM_GAP_MS, FREQUENCY_TRIGGERS } from './next-run.ts';
export type { NextRunOptions } from './next-run.ts';

export { validateModelSyncSchedule } from './model-sync-schedule.ts';
export type { ModelSyncSchedule, RunAfter } from './model-sync-schedule.ts';
export { MODEL_SYNC_SCHEDULE_OPTIONS } from './schedule-options.ts';
export type { ScheduleOption, ScheduleOptionResponse } from './schedule-options.ts';
