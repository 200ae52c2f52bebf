// Entity lookup for model-sync executions (sync_execution): canonical path under their sync, with the sync as the
// relationship (the migration guide's example: "a sync execution returns its parent sync").
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';
import { rowEntityResolver } from './row-entity-resolver.ts';

export function modelSyncExecutionEntityResolver(repositories: Repositories): EntityResolver {
  return rowEntityResolver(repositories, {
    type: 'sync_execution',
    find: (id) => repositories.modelSyncExecutions.getAnywhere(id),
    describe: (row, id) => ({
      canonicalPath: `/api/syncs/${row.sync_id}/executions/${id}`,
      relationships: { sync: { id: row.sync_id, path: `/api/syncs/${row.sync_id}` } },
    }),
  });
}
