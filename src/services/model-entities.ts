// Entity lookup for models: the source connection is the related entity.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityResolver } from './entity-registry.ts';
import { rowEntityResolver } from './row-entity-resolver.ts';

export function modelEntityResolver(repositories: Repositories): EntityResolver {
  return rowEntityResolver(repositories, {
    type: 'model',
    find: (id, organizationId) =>
      organizationId ? repositories.models.get(organizationId, id) : repositories.models.getAnywhere(id),
    describe: (row, id) => ({
      canonicalPath: `/api/models/${id}`,
      relationships: { connection: { id: row.connection_id, path: `/api/connections/${row.connection_id}` } },
    }),
  });
}
