// A stored sync's firing schedules: a bulk sync's default and additional schedules (a 2024 `multi` is stored as
// these), or a model sync's one schedule.
import {
  bulkFiringSchedules,
  type FiringSchedule,
  type ModelSyncSchedule,
  modelSyncFiringSchedules,
  type StoredBulkSchedules,
} from '../../domain/schedules/index.ts';
import type { SyncKind } from '../../persistence/repositories/schedule-states-repository.ts';

export function firingSchedulesOf(kind: SyncKind, scheduleJson: string): FiringSchedule[] {
  return kind === 'bulk'
    ? bulkFiringSchedules(JSON.parse(scheduleJson) as StoredBulkSchedules)
    : modelSyncFiringSchedules(JSON.parse(scheduleJson) as ModelSyncSchedule);
}
