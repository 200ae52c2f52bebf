// Entity lookup for model syncs ("sync"): its model and its target connection are related entities.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';
import { rowEntityResolver } from './row-entity-resolver.ts';

export function modelSyncEntityResolver(repositories: Repositories): EntityResolver {
  return rowEntityResolver(repositories, {
    type: 'sync',
    find: (id, organizationId) =>
      organizationId ? repositories.modelSyncs.get(organizationId, id) : repositories.modelSyncs.getAnywhere(id),
    describe: (row, id) => ({
      canonicalPath: `/api/syncs/${id}`,
      relationships: {
        model: { id: row.model_id, path: `/api/models/${row.model_id}` },
        target_connection: { id: row.target_connection_id, path: `/api/connections/${row.target_connection_id}` },
      },
    }),
  });
}
