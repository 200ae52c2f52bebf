// The schedules domain: pure rules for bulk and model sync schedules, in both API versions. No I/O.
export { SelectiveMode } from './schedule-vocabulary.ts';
export type { BulkScheduleFrequency } from './schedule-vocabulary.ts';

export { configurationOf, timingOf } from './bulk-schedules.ts';
export type {
  ScheduleTiming,
  ScheduleActor,
  AdditionalSchedule,
  BulkScheduleConfiguration,
  StoredDefaultSchedule,
  StoredAdditionalSchedule,
  StoredBulkSchedules,
} from './bulk-schedules.ts';

export type { ScheduleIssue } from './schedule-issues.ts';
export { validateBulkScheduleRequest } from './bulk-schedule-request.ts';
export { toBulkSchedulesResponse, type BulkSchedulesResponse } from './bulk-schedule-response.ts';

export { validateLegacyBulkSchedule } from './legacy-bulk-schedule.ts';
export type {
  LegacyBulkSchedule,
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

export { nextRunAt, CONTINUOUS_MINIMUM_GAP_MS, FREQUENCY_TRIGGERS } from './next-run.ts';

export { validateModelSyncSchedule } from './model-sync-schedule.ts';
export type { ModelSyncSchedule } from './model-sync-schedule.ts';
export { MODEL_SYNC_SCHEDULE_OPTIONS } from './schedule-options.ts';

export { bulkFiringSchedules, modelSyncFiringSchedules } from './firing-schedules.ts';
export type { FiringSchedule } from './firing-schedules.ts';
export { firstDueAt, nextDueAfterFiring, dueAt } from './schedule-due.ts';
export type { PreviousRun } from './schedule-due.ts';
export { strongestResyncMode, mergedSelection, needsSchemaKinds } from './coalesced-firing.ts';
