// Which organizations a caller may reach: a partner reaches its partner's organizations; any other key reaches
// only its own. Anything else is "not found", never "forbidden", so ids of other tenants leak nothing.
import type { Principal } from './principal.ts';
import { notFound } from '../domain/domain-error.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import type { OrganizationRow } from '../persistence/repositories/organizations-repository.ts';

export async function organizationInScope(
  repositories: Repositories,
  caller: Principal,
  organizationId: string,
): Promise<OrganizationRow> {
  const organization =
    caller.kind === 'partner'
      ? await repositories.organizations.getForPartner(caller.partnerId, organizationId)
      : organizationId === caller.organizationId
        ? await repositories.organizations.get(organizationId)
        : undefined;
  if (!organization) throw notFound('organization');
  return organization;
}
