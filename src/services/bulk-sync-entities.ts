// Entity lookup for bulk syncs.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';

export function bulkSyncEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'bulk_sync',
    async resolve(id, viewer) {
      const row = viewer.kind === 'organization' ? await repositories.bulkSyncs.get(viewer.organizationId, id) : await repositories.bulkSyncs.getAnywhere(id);
      if (!row) return undefined;
      if (viewer.kind === 'partner' && !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))) return undefined;
      return {
        id,
        type: 'bulk_sync',
        organizationId: row.organization_id,
        canonicalPath: `/api/bulk/syncs/${id}`,
        relationships: {
          source_connection: { id: row.source_connection_id, path: `/api/connections/${row.source_connection_id}` },
          destination_connection: { id: row.destination_connection_id, path: `/api/connections/${row.destination_connection_id}` },
        },
      };
    },
  };
}
