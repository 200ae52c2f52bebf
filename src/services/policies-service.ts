// Policies: CRUD for an organization's policies. Every action must be one of the model's, and every role one of
// the organization's. Built-in policies can have their grants changed but cannot be renamed or deleted; deleting a
// custom policy leaves its id on the objects it was attached to, where it no longer grants anything.
import { DomainError, invalidField, notFound, unprocessableField } from '../domain/domain-error.ts';
import { objectKinds, policyActions } from '../domain/permission-model.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import type { PolicyActionRow, PolicyRow } from '../persistence/repositories/policies-repository.ts';
import { ensureBuiltIns } from './permissions-catalog.ts';

/** Built-in policies first (connections, models, model syncs, bulk syncs), then custom ones as created. */
function rank(policy: PolicyRow): number {
  const index = (objectKinds as readonly (string | null)[]).indexOf(policy.system_key);
  return index === -1 ? objectKinds.length : index;
}

interface PolicyInput {
  name: string;
  policy_actions?: Array<{ action: string; role_ids?: string[] }>;
}

export function policiesService(repositories: Repositories) {
  async function requirePolicy(organizationId: string, id: string): Promise<PolicyRow> {
    await ensureBuiltIns(repositories, organizationId);
    const policy = await repositories.policies.get(organizationId, id);
    if (!policy) throw notFound('policy');
    return policy;
  }

  async function checked(organizationId: string, input: PolicyInput, exceptId?: string) {
    const name = input.name.trim();
    if (!name) throw invalidField('name', 'must not be empty');
    const existing = await repositories.policies.list(organizationId);
    if (existing.some((policy) => policy.name.toLowerCase() === name.toLowerCase() && policy.id !== exceptId))
      throw unprocessableField('name', 'a policy with this name already exists in the organization');
    if (input.policy_actions === undefined) return { name, policy_actions: undefined };
    const roles = new Set((await repositories.roles.list(organizationId)).map((role) => role.id));
    const seen = new Set<string>();
    const policy_actions: PolicyActionRow[] = input.policy_actions.map((grant, index) => {
      if (!(policyActions as readonly string[]).includes(grant.action))
        throw invalidField(`policy_actions[${index}].action`, `must be one of ${policyActions.join(', ')}`);
      if (seen.has(grant.action))
        throw unprocessableField(`policy_actions[${index}].action`, `${grant.action} is listed twice`);
      seen.add(grant.action);
      const role_ids = [...new Set(grant.role_ids ?? [])];
      role_ids.forEach((roleId, roleIndex) => {
        if (!roles.has(roleId))
          throw unprocessableField(
            `policy_actions[${index}].role_ids[${roleIndex}]`,
            `no role ${roleId} in this organization`,
          );
      });
      return { action: grant.action, role_ids };
    });
    return { name, policy_actions };
  }

  return {
    requirePolicy,
    async list(organizationId: string): Promise<PolicyRow[]> {
      await ensureBuiltIns(repositories, organizationId);
      return (await repositories.policies.list(organizationId)).sort((a, b) => rank(a) - rank(b));
    },
    async create(organizationId: string, input: PolicyInput): Promise<PolicyRow> {
      await ensureBuiltIns(repositories, organizationId);
      const { name, policy_actions } = await checked(organizationId, input);
      return repositories.policies.create(organizationId, name, policy_actions ?? []);
    },
    async update(organizationId: string, id: string, input: PolicyInput): Promise<PolicyRow> {
      const policy = await requirePolicy(organizationId, id);
      const changes = await checked(organizationId, input, id);
      if (policy.system_key && changes.name !== policy.name)
        throw new DomainError('forbidden', `"${policy.name}" is a built-in policy and cannot be renamed.`, {
          details: { field: 'name', reason: 'built_in_policy' },
        });
      // A full replacement, as the API reference says: grants left out of the request are removed.
      await repositories.policies.update(organizationId, id, {
        name: changes.name,
        policy_actions: changes.policy_actions ?? [],
      });
      return requirePolicy(organizationId, id);
    },
    async delete(organizationId: string, id: string): Promise<void> {
      const policy = await requirePolicy(organizationId, id);
      if (policy.system_key)
        throw new DomainError('forbidden', `"${policy.name}" is a built-in policy and cannot be deleted.`, {
          details: { reason: 'built_in_policy' },
        });
      await repositories.policies.delete(organizationId, id);
    },
  };
}
