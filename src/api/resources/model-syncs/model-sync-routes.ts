// Model syncs: list, create, get, update, delete, activate, and the schedule options.
import type { AppContext } from '../../../app-context.ts';
import type { RouteDefinition } from '../../route.ts';
import { MODEL_SYNC_SCHEDULE_OPTIONS } from '../../../domain/schedules/index.ts';
import { actingOrganizationId } from '../../../services/acting-organization.ts';
import type { ModelSyncsService } from '../../../services/model-syncs-service.ts';
import { IdParams } from '../envelope.ts';
import { ActivateSyncEnvelope, ActivateSyncInput } from '../bulk-syncs/bulk-sync-schemas.ts';
import {
  CreateSyncRequest,
  ListSyncResponseEnvelope,
  ModelSyncListQuery,
  ScheduleOptionResponseEnvelope,
  SyncResponseEnvelope,
  UpdateSyncRequest,
} from './model-sync-schemas.ts';
import { StoredRows } from '../../stored-rows.ts';
import {
  modelSyncListItemSource,
  modelSyncToUpdateBody,
  modelSyncToWire,
  modelSyncWireSource,
} from './model-sync-wire.ts';

export function modelSyncRoutes(context: AppContext, modelSyncs: ModelSyncsService): RouteDefinition[] {
  const { repositories } = context;
  return [
    {
      operationId: 'modelSync.list',
      method: 'GET',
      path: '/api/syncs',
      summary:
        "The organization's model syncs, most recently updated first (ties by id), as light ListSyncItem items, at most `limit` (default and maximum 50) per page; pagination.next_page_token fetches the next page.",
      access: 'organization',
      query: ModelSyncListQuery,
      response: ListSyncResponseEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, query }) => {
        const { organizationId } = caller;
        const { revisions, nextPageToken } = await modelSyncs.list(organizationId, query, query.full_list === true);
        const stamps = revisions.map(({ id, revision }) => ({ id, stamp: [revision] }));
        const load = (ids: string[]) => modelSyncs.byIds(organizationId, ids);
        if (query.full_list === true) return StoredRows.stamped(modelSyncWireSource, stamps, load);
        return StoredRows.stamped(modelSyncListItemSource, stamps, load, {
          pagination: nextPageToken ? { next_page_token: nextPageToken } : {},
        });
      },
    },
    {
      operationId: 'modelSync.create',
      method: 'POST',
      path: '/api/syncs',
      summary:
        'Create a model sync: one model written into one target object. Every source.model_id must name the same model; the target object must support the mode; fields marked `new` are created on the target.',
      access: 'organization',
      body: CreateSyncRequest,
      response: SyncResponseEnvelope,
      errors: [400, 403, 422, 500],
      handler: async ({ caller, body }) => {
        const organizationId = await actingOrganizationId(repositories, caller, body.organization_id);
        return { data: modelSyncToWire(await modelSyncs.create(caller, organizationId, body)) };
      },
    },
    {
      operationId: 'modelSync.getScheduleOptions',
      method: 'GET',
      path: '/api/syncs/schedules',
      summary: 'The schedule frequencies a model sync can use, each with a JSON schema of the fields it takes.',
      access: 'organization',
      response: ScheduleOptionResponseEnvelope,
      errors: [500],
      handler: async () => ({ data: MODEL_SYNC_SCHEDULE_OPTIONS }),
    },
    {
      operationId: 'modelSync.get',
      method: 'GET',
      path: '/api/syncs/{id}',
      summary: 'A model sync. encryption_passphrase is never returned.',
      access: 'organization',
      params: IdParams,
      response: SyncResponseEnvelope,
      errors: [404, 500],
      // The revision first: the whole row is read only when the JSON kept for this version is not at that revision.
      handler: async ({ caller, params }) => {
        const { organizationId } = caller;
        const { id, revision } = await modelSyncs.requireModelSyncRevision(organizationId, params.id);
        return StoredRows.one(modelSyncWireSource, { id, stamp: [revision] }, () =>
          modelSyncs.requireModelSyncRow(organizationId, id),
        );
      },
    },
    {
      operationId: 'modelSync.update',
      method: 'PUT',
      path: '/api/syncs/{id}',
      summary:
        'Replace a model sync, checked as on create. Without encryption_passphrase the stored one is kept; an empty string clears it. The change-detection state is kept.',
      access: 'organization',
      params: IdParams,
      body: UpdateSyncRequest,
      response: SyncResponseEnvelope,
      errors: [400, 401, 403, 404, 422, 500],
      patchReplacesWhole: ['schedule'],
      currentBody: async ({ caller, params }) =>
        modelSyncToUpdateBody(await modelSyncs.requireModelSync(caller.organizationId, params.id)),
      handler: async ({ caller, params, body }) => ({
        data: modelSyncToWire(await modelSyncs.update(caller, params.id, body)),
      }),
    },
    {
      operationId: 'modelSync.delete',
      method: 'DELETE',
      path: '/api/syncs/{id}',
      summary:
        'Delete a model sync with its executions and change-detection state; 409 while an execution is in progress. The target is left as it is.',
      access: 'organization',
      params: IdParams,
      errors: [401, 403, 404, 409, 500],
      handler: async ({ caller, params }) => {
        await modelSyncs.delete(caller, params.id);
        return undefined;
      },
    },
    {
      operationId: 'modelSync.activate',
      method: 'POST',
      path: '/api/syncs/{id}/activate',
      summary: 'Turn a model sync on or off; an inactive sync is not run by its schedule.',
      access: 'organization',
      params: IdParams,
      body: ActivateSyncInput,
      response: ActivateSyncEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params, body }) => {
        const sync = await modelSyncs.setActive(caller, params.id, body.active);
        return { data: { id: sync.id, active: sync.active } };
      },
    },
  ];
}
