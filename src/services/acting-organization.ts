// The organization a request acts in: the caller's own, or — for partner keys — one named by `organization_id`
// in the body (CreateConnectionRequestSchema and others carry it).
import type { Principal } from './principal.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import { organizationInScope } from './organization-scope.ts';

export async function actingOrganizationId(
  repositories: Repositories,
  caller: Principal,
  organizationId: string | undefined,
): Promise<string> {
  if (!organizationId || organizationId === caller.organizationId) return caller.organizationId;
  return (await organizationInScope(repositories, caller, organizationId)).id;
}
