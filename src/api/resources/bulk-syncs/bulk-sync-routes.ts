// Bulk syncs: list, create, get, update, delete, activate.
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import type { RouteDefinition } from '../../route.ts';
import { actingOrganizationId } from '../../../services/acting-organization.ts';
import type { BulkSyncsService } from '../../../services/bulk-syncs-service.ts';
import { IdParams } from '../envelope.ts';
import {
  ActivateSyncEnvelope,
  ActivateSyncInput,
  BulkSyncListEnvelope,
  BulkSyncResponseEnvelope,
  CreateBulkSyncRequest,
  UpdateBulkSyncRequest,
} from './bulk-sync-schemas.ts';
import { StoredRows } from '../../stored-rows.ts';
import { bulkSyncToUpdateBody, bulkSyncToWire, bulkSyncWireSource } from './bulk-sync-wire.ts';

export function bulkSyncRoutes(context: AppContext, bulkSyncs: BulkSyncsService): RouteDefinition[] {
  const { repositories } = context;
  return [
    {
      operationId: 'bulkSync.list',
      method: 'GET',
      path: '/api/bulk/syncs',
      summary:
        "The organization's bulk syncs, most recently updated first. Unpaginated in every version (neither SDK's schema has pagination here).",
      access: 'organization',
      query: Type.Object({ active: Type.Optional(Type.Boolean()) }),
      response: BulkSyncListEnvelope,
      errors: [500],
      handler: async ({ caller, query }) => {
        const { organizationId } = caller;
        const revisions = await repositories.bulkSyncs.listRevisions(organizationId, { active: query.active });
        return StoredRows.stamped(
          bulkSyncWireSource,
          revisions.map(({ id, revision }) => ({ id, stamp: [revision] })),
          (ids) => repositories.bulkSyncs.byIds(organizationId, ids),
        );
      },
    },
    {
      operationId: 'bulkSync.create',
      method: 'POST',
      path: '/api/bulk/syncs',
      summary:
        'Create a bulk sync. default_schedule is required and may not carry selective_mode, schemas or resync_mode; additional_schedules may. Without `schemas`, every schema of the source is selected, new ones included.',
      access: 'organization',
      body: CreateBulkSyncRequest,
      response: BulkSyncResponseEnvelope,
      errors: [400, 403, 422, 500],
      handler: async ({ caller, body }) => {
        const organizationId = await actingOrganizationId(repositories, caller, body.organization_id);
        return { data: bulkSyncToWire(await bulkSyncs.create(caller, organizationId, body)) };
      },
    },
    {
      operationId: 'bulkSync.get',
      method: 'GET',
      path: '/api/bulk/syncs/{id}',
      summary: 'A bulk sync with its schedules.',
      access: 'organization',
      params: IdParams,
      query: Type.Object({ refresh_schemas: Type.Optional(Type.Boolean()) }),
      response: BulkSyncResponseEnvelope,
      errors: [404],
      // The revision first: the whole row is read only when the JSON kept for this version is not at that revision.
      handler: async ({ caller, params }) => {
        const { id, revision } = await bulkSyncs.requireSyncRevision(caller, params.id);
        return StoredRows.one(bulkSyncWireSource, { id, stamp: [revision] }, () => bulkSyncs.requireSync(caller, id));
      },
    },
    {
      operationId: 'bulkSync.update',
      method: 'PUT',
      path: '/api/bulk/syncs/{id}',
      summary:
        'Replace a bulk sync. Schedules keep their ids when they are sent back with them (or, without ids, when their scope matches).',
      access: 'organization',
      params: IdParams,
      body: UpdateBulkSyncRequest,
      response: BulkSyncResponseEnvelope,
      errors: [400, 403, 404, 422, 500],
      patchReplacesWhole: ['default_schedule'],
      currentBody: async ({ caller, params }) => {
        const row = await bulkSyncs.requireSync(caller, params.id);
        return bulkSyncToUpdateBody(row, await repositories.bulkSyncs.schemas(row.id));
      },
      handler: async ({ caller, params, body }) => ({
        data: bulkSyncToWire(await bulkSyncs.update(caller, params.id, body)),
      }),
    },
    {
      operationId: 'bulkSync.remove',
      method: 'DELETE',
      path: '/api/bulk/syncs/{id}',
      summary: 'Delete a bulk sync, its schema settings and schedules. The destination is left as it is.',
      access: 'organization',
      params: IdParams,
      query: Type.Object({ refresh_schemas: Type.Optional(Type.Boolean()) }),
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        await bulkSyncs.delete(caller, params.id);
        return undefined;
      },
    },
    {
      operationId: 'bulkSync.activate',
      method: 'POST',
      path: '/api/bulk/syncs/{id}/activate',
      summary: 'Turn a bulk sync on or off; an inactive sync is not run by its schedules.',
      access: 'organization',
      params: IdParams,
      body: ActivateSyncInput,
      response: ActivateSyncEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params, body }) => {
        const row = await bulkSyncs.setActive(caller, params.id, body.active);
        return { data: { id: row.id, active: row.active === 1 } };
      },
    },
  ];
}
