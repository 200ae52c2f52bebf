// Entity lookup for model-sync executions (sync_execution): canonical path under their sync, with the sync as the
// relationship (the migration guide's example: "a sync execution returns its parent sync").
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';

export function modelSyncExecutionEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'sync_execution',
    async resolve(id, viewer) {
      const row = await repositories.modelSyncExecutions.getAnywhere(id);
      if (!row) return undefined;
      if (viewer.kind === 'organization' && row.organization_id !== viewer.organizationId) return undefined;
      if (viewer.kind === 'partner' && !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))) return undefined;
      return {
        id,
        type: 'sync_execution',
        organizationId: row.organization_id,
        canonicalPath: `/api/syncs/${row.sync_id}/executions/${id}`,
        relationships: { sync: { id: row.sync_id, path: `/api/syncs/${row.sync_id}` } },
      };
    },
  };
}
