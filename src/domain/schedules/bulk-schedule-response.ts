// The 2025-09-18 response fields `default_schedule` and `additional_schedules` (BulkSyncDefaultScheduleResponse,
// BulkSyncAdditionalScheduleResponse). They show what is stored, with its metadata, and nothing that is not set.
import {
  timingOf,
  type ScheduleActor,
  type ScheduleRecordMetadata,
  type StoredBulkSchedules,
} from './bulk-schedules.ts';
import type { AdditionalSchedule, DefaultSchedule } from './bulk-schedules.ts';

type DefaultScheduleResponse = DefaultSchedule & Partial<ScheduleRecordMetadata>;
type AdditionalScheduleResponse = AdditionalSchedule & Partial<ScheduleRecordMetadata>;

export interface BulkSchedulesResponse {
  default_schedule: DefaultScheduleResponse;
  additional_schedules: AdditionalScheduleResponse[];
}

export function toBulkSchedulesResponse(stored: StoredBulkSchedules): BulkSchedulesResponse {
  return {
    default_schedule: { ...timingOf(stored.default_schedule), ...metadataOf(stored.default_schedule) },
    additional_schedules: stored.additional_schedules.map((schedule) => ({
      ...timingOf(schedule),
      ...metadataOf(schedule),
      ...(schedule.selective_mode !== undefined ? { selective_mode: schedule.selective_mode } : {}),
      ...(schedule.schemas !== undefined ? { schemas: [...schedule.schemas] } : {}),
      ...(schedule.resync_mode !== undefined ? { resync_mode: schedule.resync_mode } : {}),
    })),
  };
}

function metadataOf(schedule: ScheduleRecordMetadata): ScheduleRecordMetadata {
  const metadata: ScheduleRecordMetadata = {
    id: schedule.id,
    created_at: schedule.created_at,
    updated_at: schedule.updated_at,
  };
  if (schedule.created_by) metadata.created_by = actorOf(schedule.created_by);
  if (schedule.updated_by) metadata.updated_by = actorOf(schedule.updated_by);
  return metadata;
}

function actorOf(actor: ScheduleActor): ScheduleActor {
  return Object.fromEntries(Object.entries(actor).filter(([, value]) => value !== undefined));
}
