// Entity lookup for bulk sync executions: canonical path under their sync, with the sync as relationship and the
// schema ids in context (as the spec's EntityResponse notes for bulk_sync_execution).
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';
import { rowEntityResolver } from './row-entity-resolver.ts';

export function bulkExecutionEntityResolver(repositories: Repositories): EntityResolver {
  return rowEntityResolver(repositories, {
    type: 'bulk_sync_execution',
    find: (id) => repositories.bulkExecutions.getAnywhere(id),
    describe: (row, id) => ({
      canonicalPath: `/api/bulk/syncs/${row.sync_id}/executions/${id}`,
      relationships: { bulk_sync: { id: row.sync_id, path: `/api/bulk/syncs/${row.sync_id}` } },
      context: {
        schema_ids: (JSON.parse(row.schemas) as Array<{ schema?: string }>)
          .map((schema) => schema.schema)
          .filter(Boolean),
      },
    }),
  });
}
