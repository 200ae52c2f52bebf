// Entity lookup for connections: a shared connection relates to its parent.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';
import { rowEntityResolver } from './row-entity-resolver.ts';

export function connectionEntityResolver(repositories: Repositories): EntityResolver {
  return rowEntityResolver(repositories, {
    type: 'connection',
    find: (id, organizationId) =>
      organizationId ? repositories.connections.get(organizationId, id) : repositories.connections.getAnywhere(id),
    describe: (row, id) => ({
      canonicalPath: `/api/connections/${id}`,
      ...(row.parent_connection_id
        ? {
            relationships: {
              parent_connection: { id: row.parent_connection_id, path: `/api/connections/${row.parent_connection_id}` },
            },
          }
        : {}),
    }),
  });
}
