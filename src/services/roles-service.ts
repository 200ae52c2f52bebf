// Roles: CRUD for an organization's labels. Built-in roles cannot be changed or deleted (their names are what
// Polytomic's defaults are known by). Deleting a custom role takes it off every user and every policy grant.
import { DomainError, invalidField, notFound, unprocessableField } from '../domain/domain-error.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import type { RoleRow } from '../persistence/repositories/roles-repository.ts';
import { builtInRoleKeys } from '../domain/permission-model.ts';
import { ensureBuiltIns } from './permissions-catalog.ts';

/** Built-in roles first, in Polytomic's order (Admin, Editor, Sync Editor, Viewer), then custom ones as created. */
function rank(role: RoleRow): number {
  const index = (builtInRoleKeys as readonly (string | null)[]).indexOf(role.system_key);
  return index === -1 ? builtInRoleKeys.length : index;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw invalidField('name', 'must not be empty');
  return trimmed;
}

export function rolesService(repositories: Repositories, credentialsChanged: () => void = () => {}) {
  async function requireRole(organizationId: string, id: string): Promise<RoleRow> {
    await ensureBuiltIns(repositories, organizationId);
    const role = await repositories.roles.get(organizationId, id);
    if (!role) throw notFound('role');
    return role;
  }

  async function ensureNameFree(organizationId: string, name: string, exceptId?: string): Promise<void> {
    const taken = (await repositories.roles.list(organizationId)).some(
      (role) => role.name.toLowerCase() === name.toLowerCase() && role.id !== exceptId,
    );
    if (taken) throw unprocessableField('name', 'a role with this name already exists in the organization');
  }

  return {
    requireRole,
    async list(organizationId: string): Promise<RoleRow[]> {
      await ensureBuiltIns(repositories, organizationId);
      // A stable sort: the repository orders custom roles by creation.
      return (await repositories.roles.list(organizationId)).sort((a, b) => rank(a) - rank(b));
    },
    async create(organizationId: string, name: string): Promise<RoleRow> {
      await ensureBuiltIns(repositories, organizationId);
      const checked = checkName(name);
      await ensureNameFree(organizationId, checked);
      return repositories.roles.create(organizationId, checked);
    },
    async update(organizationId: string, id: string, name: string): Promise<RoleRow> {
      const role = await requireRole(organizationId, id);
      const checked = checkName(name);
      if (role.system_key)
        throw new DomainError('forbidden', `"${role.name}" is a built-in role and cannot be changed.`, {
          details: { field: 'name', reason: 'built_in_role' },
        });
      await ensureNameFree(organizationId, checked, id);
      await repositories.roles.rename(organizationId, id, checked);
      return requireRole(organizationId, id);
    },
    async delete(organizationId: string, id: string): Promise<void> {
      const role = await requireRole(organizationId, id);
      if (role.system_key)
        throw new DomainError('forbidden', `"${role.name}" is a built-in role and cannot be deleted.`, {
          details: { reason: 'built_in_role' },
        });
      for (const policy of await repositories.policies.list(organizationId)) {
        if (!policy.policy_actions.some((grant) => grant.role_ids.includes(id))) continue;
        const policy_actions = policy.policy_actions.map((grant) => ({
          action: grant.action,
          role_ids: grant.role_ids.filter((roleId) => roleId !== id),
        }));
        await repositories.policies.update(organizationId, policy.id, { name: policy.name, policy_actions });
      }
      for (const user of await repositories.users.list(organizationId))
        if (user.role_ids.includes(id))
          await repositories.users.update(organizationId, user.id, {
            role_ids: user.role_ids.filter((roleId) => roleId !== id),
          });
      await repositories.roles.delete(organizationId, id);
      credentialsChanged();
    },
  };
}
