// Entity lookup for connections.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';

export function connectionEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'connection',
    async resolve(id, viewer) {
      const row = viewer.kind === 'organization' ? await repositories.connections.get(viewer.organizationId, id) : await repositories.connections.getAnywhere(id);
      if (!row) return undefined;
      if (viewer.kind === 'partner' && !(await repositories.organizations.getForPartner(viewer.partnerId, row.organization_id))) return undefined;
      return {
        id,
        type: 'connection',
        organizationId: row.organization_id,
        canonicalPath: `/api/connections/${id}`,
        ...(row.parent_connection_id ? { relationships: { parent_connection: { id: row.parent_connection_id, path: `/api/connections/${row.parent_connection_id}` } } } : {}),
      };
    },
  };
}
