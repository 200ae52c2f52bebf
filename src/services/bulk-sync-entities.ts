// Entity lookup for bulk syncs: their source and destination connections are related entities.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';
import { rowEntityResolver } from './row-entity-resolver.ts';

export function bulkSyncEntityResolver(repositories: Repositories): EntityResolver {
  return rowEntityResolver(repositories, {
    type: 'bulk_sync',
    find: (id, organizationId) =>
      organizationId ? repositories.bulkSyncs.get(organizationId, id) : repositories.bulkSyncs.getAnywhere(id),
    describe: (row, id) => ({
      canonicalPath: `/api/bulk/syncs/${id}`,
      relationships: {
        source_connection: { id: row.source_connection_id, path: `/api/connections/${row.source_connection_id}` },
        destination_connection: {
          id: row.destination_connection_id,
          path: `/api/connections/${row.destination_connection_id}`,
        },
      },
    }),
  });
}
