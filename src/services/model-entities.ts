// Entity lookup for models.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';

export function modelEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'model',
    async resolve(id, viewer) {
      const row = viewer.kind === 'organization' ? await repositories.models.get(viewer.organizationId, id) : await repositories.models.getAnywhere(id);
      if (!row) return undefined;
      if (viewer.kind === 'partner' && !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))) return undefined;
      return {
        id,
        type: 'model',
        organizationId: row.organization_id,
        canonicalPath: `/api/models/${id}`,
        relationships: { connection: { id: row.connection_id, path: `/api/connections/${row.connection_id}` } },
      };
    },
  };
}
