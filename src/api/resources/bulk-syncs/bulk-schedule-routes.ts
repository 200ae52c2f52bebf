// The schedules sub-resource, /api/bulk/syncs/{sync_id}/schedules… (camelCase in both versions: docs/wire-format.md).
// It edits the same stored schedules the main endpoints show as default_schedule and additional_schedules. Each
// schedule also carries its `id` (a Ferry addition: BulkBulkSyncSchedule has none, yet the routes take one).
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { ApiError, notFound } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { Caller } from '../../auth/caller.ts';
import { actorOf } from '../../../services/actor.ts';
import type { BulkSyncsService } from '../../../services/bulk-syncs-service.ts';
import { nowIso } from '../../../persistence/repositories/clock.ts';
import type { BulkSyncRow } from '../../../persistence/repositories/bulk-syncs-repository.ts';
import {
  applyScheduleApiUpdate,
  toBulkBulkSyncSchedule,
  validateScheduleApiRequest,
  type StoredAdditionalSchedule,
  type StoredBulkSchedules,
  type StoredDefaultSchedule,
} from '../../../domain/schedules/index.ts';
import { Envelope, ListEnvelope } from '../envelope.ts';

const BulkBulkSyncSchedule = Type.Record(Type.String(), Type.Unknown(), { title: 'BulkBulkSyncSchedule' });
const scheduleRequest = { schedule: Type.Record(Type.String(), Type.Unknown()) };
const CreateScheduleRequest = Type.Object(scheduleRequest, { title: 'bulkSync.CreateScheduleRequest' });
const UpdateScheduleRequest = Type.Object(scheduleRequest, { title: 'bulkSync.UpdateScheduleRequest' });
const SyncParams = Type.Object({ sync_id: Type.String() });
const ScheduleParams = Type.Object({ sync_id: Type.String(), schedule_id: Type.String() });

function toWire(schedule: StoredDefaultSchedule | StoredAdditionalSchedule, syncId: string, isDefault: boolean) {
  return { id: schedule.id, ...toBulkBulkSyncSchedule(schedule, { syncId, isDefault }) };
}

export function bulkScheduleRoutes(context: AppContext, bulkSyncs: BulkSyncsService): RouteDefinition[] {
  const { repositories } = context;

  function parse(raw: unknown, isDefault: boolean) {
    const validated = validateScheduleApiRequest(raw, { isDefault });
    if (!validated.ok) {
      const [first] = validated.issues;
      throw new ApiError('validation_failed', `${first!.field}: ${first!.message}`, {
        metadata: { field: first!.field, issues: validated.issues },
      });
    }
    return validated.value;
  }

  async function save(caller: Caller, sync: BulkSyncRow, schedules: StoredBulkSchedules): Promise<void> {
    await repositories.bulkSyncs.update(sync.organization_id, sync.id, {
      schedules: JSON.stringify(schedules),
      updated_at: nowIso(context.clock),
      updated_by: JSON.stringify(actorOf(caller)),
    });
  }

  async function find(caller: Caller, syncId: string, scheduleId: string) {
    const sync = await bulkSyncs.requireSync(caller, syncId);
    const schedules = JSON.parse(sync.schedules) as StoredBulkSchedules;
    if (schedules.default_schedule.id === scheduleId)
      return { sync, schedules, schedule: schedules.default_schedule, isDefault: true };
    const schedule = schedules.additional_schedules.find((candidate) => candidate.id === scheduleId);
    if (!schedule) throw notFound('schedule');
    return { sync, schedules, schedule, isDefault: false };
  }

  return [
    {
      operationId: 'bulkSync.schedules.list',
      method: 'GET',
      path: '/api/bulk/syncs/{sync_id}/schedules',
      summary: "The sync's schedules: the default first, then the additional ones.",
      access: 'organization',
      params: SyncParams,
      response: ListEnvelope('SchedulesEnvelope', BulkBulkSyncSchedule),
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const sync = await bulkSyncs.requireSync(caller, params.sync_id);
        const schedules = JSON.parse(sync.schedules) as StoredBulkSchedules;
        return {
          data: [
            toWire(schedules.default_schedule, sync.id, true),
            ...schedules.additional_schedules.map((schedule) => toWire(schedule, sync.id, false)),
          ],
        };
      },
    },
    {
      operationId: 'bulkSync.schedules.create',
      method: 'POST',
      path: '/api/bulk/syncs/{sync_id}/schedules',
      summary: 'Add an additional schedule.',
      access: 'organization',
      params: SyncParams,
      body: CreateScheduleRequest,
      response: Envelope('ScheduleEnvelope', BulkBulkSyncSchedule),
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, body }) => {
        const sync = await bulkSyncs.requireSync(caller, params.sync_id);
        const request = parse(body.schedule, false);
        const now = nowIso(context.clock);
        const actor = actorOf(caller);
        const schedule: StoredAdditionalSchedule = {
          ...request,
          id: randomUUID(),
          created_at: now,
          updated_at: now,
          created_by: actor,
          updated_by: actor,
        };
        const schedules = JSON.parse(sync.schedules) as StoredBulkSchedules;
        await save(caller, sync, { ...schedules, additional_schedules: [...schedules.additional_schedules, schedule] });
        return { data: toWire(schedule, sync.id, false) };
      },
    },
    {
      operationId: 'bulkSync.schedules.get',
      method: 'GET',
      path: '/api/bulk/syncs/{sync_id}/schedules/{schedule_id}',
      summary: 'One schedule.',
      access: 'organization',
      params: ScheduleParams,
      response: Envelope('ScheduleEnvelope', BulkBulkSyncSchedule),
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const { sync, schedule, isDefault } = await find(caller, params.sync_id, params.schedule_id);
        return { data: toWire(schedule, sync.id, isDefault) };
      },
    },
    {
      operationId: 'bulkSync.schedules.update',
      method: 'PUT',
      path: '/api/bulk/syncs/{sync_id}/schedules/{schedule_id}',
      summary: "Replace a schedule's timing and selective mode; its schemas and resync mode are kept.",
      access: 'organization',
      params: ScheduleParams,
      body: UpdateScheduleRequest,
      response: Envelope('ScheduleEnvelope', BulkBulkSyncSchedule),
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, body }) => {
        const { sync, schedules, schedule, isDefault } = await find(caller, params.sync_id, params.schedule_id);
        const updated = {
          ...applyScheduleApiUpdate(schedule, parse(body.schedule, isDefault)),
          updated_at: nowIso(context.clock),
          updated_by: actorOf(caller),
        };
        const next: StoredBulkSchedules = isDefault
          ? { ...schedules, default_schedule: updated as StoredDefaultSchedule }
          : {
              ...schedules,
              additional_schedules: schedules.additional_schedules.map((candidate) =>
                candidate.id === schedule.id ? (updated as StoredAdditionalSchedule) : candidate,
              ),
            };
        await save(caller, sync, next);
        return { data: toWire(updated, sync.id, isDefault) };
      },
    },
    {
      operationId: 'bulkSync.schedules.remove',
      method: 'DELETE',
      path: '/api/bulk/syncs/{sync_id}/schedules/{schedule_id}',
      summary: 'Delete an additional schedule. The default schedule cannot be deleted (set it to manual instead).',
      access: 'organization',
      params: ScheduleParams,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const { sync, schedules, schedule, isDefault } = await find(caller, params.sync_id, params.schedule_id);
        if (isDefault)
          throw new ApiError(
            'forbidden',
            'The default schedule cannot be deleted; set its frequency to manual instead.',
          );
        await save(caller, sync, {
          ...schedules,
          additional_schedules: schedules.additional_schedules.filter((candidate) => candidate.id !== schedule.id),
        });
        return undefined;
      },
    },
  ];
}
