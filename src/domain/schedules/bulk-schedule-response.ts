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

// Built property by property rather than with spreads: a list maps a thousand syncs' schedules per request, and
// spread literals (and Object.entries/fromEntries) cost several times the assignments; the key order is the same.
export function toBulkSchedulesResponse(stored: StoredBulkSchedules): BulkSchedulesResponse {
  const defaultSchedule: DefaultScheduleResponse = timingOf(stored.default_schedule);
  addMetadata(defaultSchedule, stored.default_schedule);
  return {
    default_schedule: defaultSchedule,
    additional_schedules: stored.additional_schedules.map((schedule) => {
      const response: AdditionalScheduleResponse = timingOf(schedule);
      addMetadata(response, schedule);
      if (schedule.selective_mode !== undefined) response.selective_mode = schedule.selective_mode;
      if (schedule.schemas !== undefined) response.schemas = [...schedule.schemas];
      if (schedule.resync_mode !== undefined) response.resync_mode = schedule.resync_mode;
      return response;
    }),
  };
}

function addMetadata(response: Partial<ScheduleRecordMetadata>, schedule: ScheduleRecordMetadata): void {
  response.id = schedule.id;
  response.created_at = schedule.created_at;
  response.updated_at = schedule.updated_at;
  if (schedule.created_by) response.created_by = actorOf(schedule.created_by);
  if (schedule.updated_by) response.updated_by = actorOf(schedule.updated_by);
}

/** The actor without its undefined fields (a stored actor is parsed JSON, so it has none; kept for hand-made ones). */
function actorOf(actor: ScheduleActor): ScheduleActor {
  const shown: ScheduleActor = {};
  for (const key in actor) {
    const value = actor[key as keyof ScheduleActor];
    if (value !== undefined) shown[key as keyof ScheduleActor] = value;
  }
  return shown;
}
