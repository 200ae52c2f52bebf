// Entity lookup for bulk sync executions: canonical path under their sync, with the sync as relationship and the
// schema ids in context (as the spec's EntityResponse notes for bulk_sync_execution).
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';

export function bulkExecutionEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'bulk_sync_execution',
    async resolve(id, viewer) {
      const row = await repositories.bulkExecutions.getAnywhere(id);
      if (!row) return undefined;
      if (viewer.kind === 'organization' && row.organization_id !== viewer.organizationId) return undefined;
      if (viewer.kind === 'partner' && !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))) return undefined;
      const schemas = (JSON.parse(row.schemas) as Array<{ schema?: string }>).map((schema) => schema.schema).filter(Boolean);
      return {
        id,
        type: 'bulk_sync_execution',
        organizationId: row.organization_id,
        canonicalPath: `/api/bulk/syncs/${row.sync_id}/executions/${id}`,
        relationships: { bulk_sync: { id: row.sync_id, path: `/api/bulk/syncs/${row.sync_id}` } },
        context: { schema_ids: schemas },
      };
    },
  };
}
