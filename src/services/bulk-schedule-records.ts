// Turns a validated schedule configuration into stored schedules, keeping ids and creation metadata of schedules
// that already existed: the default keeps its id; an additional schedule keeps the one it names, or else the one
// with the same scope and resync mode (2024-02-08 requests carry no ids).
import { randomUUID } from 'node:crypto';
import type {
  AdditionalSchedule,
  BulkScheduleConfiguration,
  ScheduleActor,
  StoredAdditionalSchedule,
  StoredBulkSchedules,
} from '../domain/schedules/index.ts';

function sameScope(a: AdditionalSchedule, b: AdditionalSchedule): boolean {
  return (
    (a.selective_mode ?? 'none') === (b.selective_mode ?? 'none') &&
    JSON.stringify(a.schemas ?? []) === JSON.stringify(b.schemas ?? []) &&
    (a.resync_mode ?? 'normal') === (b.resync_mode ?? 'normal')
  );
}

export function storeSchedules(
  configuration: BulkScheduleConfiguration,
  previous: StoredBulkSchedules | undefined,
  actor: ScheduleActor,
  now: string,
): StoredBulkSchedules {
  const stamp = (existing: { id: string; created_at: string; created_by?: ScheduleActor } | undefined) => ({
    id: existing?.id ?? randomUUID(),
    created_at: existing?.created_at ?? now,
    created_by: existing?.created_by ?? actor,
    updated_at: now,
    updated_by: actor,
  });
  const unused = [...(previous?.additional_schedules ?? [])];
  const take = (schedule: AdditionalSchedule): StoredAdditionalSchedule | undefined => {
    const index = unused.findIndex((candidate) =>
      schedule.id ? candidate.id === schedule.id : sameScope(candidate, schedule),
    );
    return index >= 0 ? unused.splice(index, 1)[0] : undefined;
  };
  const { id: _defaultId, ...defaultSchedule } = configuration.default_schedule;
  return {
    default_schedule: { ...defaultSchedule, ...stamp(previous?.default_schedule) },
    additional_schedules: configuration.additional_schedules.map((schedule) => {
      const { id: _id, ...rest } = schedule;
      return { ...rest, ...stamp(take(schedule)) };
    }),
  };
}
