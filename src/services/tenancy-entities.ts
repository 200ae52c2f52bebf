// Entity resolvers for organizations and users, the two kinds the foundation owns.
import type { Repositories } from '../persistence/repositories/index.ts';
import type { EntityRegistry, EntityResolver, EntityViewer } from './entity-registry.ts';

async function organizationVisible(
  repositories: Repositories,
  organizationId: string,
  viewer: EntityViewer,
): Promise<boolean> {
  if (viewer.kind === 'organization') return viewer.organizationId === organizationId;
  const organization = await repositories.organizations.getForPartner(viewer.partnerId, organizationId);
  return organization !== undefined;
}

function organizationPath(organizationId: string, viewer: EntityViewer): string {
  return viewer.kind === 'organization' ? '/api/organization' : `/api/organizations/${organizationId}`;
}

function organizationEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'organization',
    async resolve(id, viewer) {
      if (!(await organizationVisible(repositories, id, viewer))) return undefined;
      return { id, type: 'organization', organizationId: id, canonicalPath: organizationPath(id, viewer) };
    },
  };
}

function userEntityResolver(repositories: Repositories): EntityResolver {
  return {
    type: 'user',
    async resolve(id, viewer) {
      const user =
        viewer.kind === 'organization'
          ? await repositories.users.get(viewer.organizationId, id)
          : await repositories.users.getAnywhere(id);
      if (!user || !(await organizationVisible(repositories, user.organization_id, viewer))) return undefined;
      const canonicalPath =
        viewer.kind === 'organization'
          ? `/api/organization/users/${id}`
          : `/api/organizations/${user.organization_id}/users/${id}`;
      return {
        id,
        type: 'user',
        organizationId: user.organization_id,
        canonicalPath,
        relationships: {
          organization: { id: user.organization_id, path: organizationPath(user.organization_id, viewer) },
        },
      };
    },
  };
}

export function registerTenancyEntities(registry: EntityRegistry, repositories: Repositories): void {
  registry.register(organizationEntityResolver(repositories));
  registry.register(userEntityResolver(repositories));
}
