// Entity lookup for model syncs ("sync"): its model and its target connection are related entities.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';

export function modelSyncEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'sync',
    async resolve(id, viewer) {
      const row = viewer.kind === 'organization' ? await repositories.modelSyncs.get(viewer.organizationId, id) : await repositories.modelSyncs.getAnywhere(id);
      if (!row) return undefined;
      if (viewer.kind === 'partner' && !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))) return undefined;
      return {
        id,
        type: 'sync',
        organizationId: row.organization_id,
        canonicalPath: `/api/syncs/${id}`,
        relationships: {
          model: { id: row.model_id, path: `/api/models/${row.model_id}` },
          target_connection: { id: row.target_connection_id, path: `/api/connections/${row.target_connection_id}` },
        },
      };
    },
  };
}
