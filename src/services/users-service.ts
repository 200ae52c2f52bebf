// User use cases, shared by the singular (/api/organization/users) and plural (/api/organizations/{org_id}/users)
// route families, which differ only in how the organization is chosen.
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import type { UserRow } from '../persistence/repositories/users-repository.ts';
import { ensureBuiltIns } from './permissions-catalog.ts';
import { unrestricted } from './permissions-service.ts';
import type { Principal } from './principal.ts';

export interface UserChanges {
  email?: string;
  role?: string;
  role_ids?: string[];
}

/** Legacy role names Ferry accepts; role_ids take any role id. */
const legacyRoles = ['admin', 'user'] as const;

function checkRoles(input: UserChanges): void {
  if (input.role !== undefined && input.role_ids !== undefined) {
    throw unprocessableField('role', 'role and role_ids cannot be given together; use role_ids');
  }
  if (input.role !== undefined && !(legacyRoles as readonly string[]).includes(input.role)) {
    throw unprocessableField('role', `must be one of ${legacyRoles.join(', ')}`);
  }
}

function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Adding, removing and re-roling users takes the Admin role (Polytomic's Editor may do everything else). */
function requireUserAdmin(actor: Principal | undefined): void {
  if (actor && !unrestricted(actor))
    throw new DomainError('forbidden', 'Only the Admin role may add or remove users or change their roles.', {
      details: { reason: 'admin_required' },
    });
}

/** `credentialsChanged` is called after changes that alter or revoke what a key stands for (role, deletion). */
export function usersService(repositories: Repositories, credentialsChanged: () => void = () => {}) {
  async function requireUser(organizationId: string, id: string): Promise<UserRow> {
    const user = await repositories.users.get(organizationId, id);
    if (!user) throw notFound('user');
    return user;
  }

  async function ensureEmailFree(organizationId: string, email: string, exceptUserId?: string): Promise<void> {
    const existing = await repositories.users.findByEmail(organizationId, email);
    if (existing && existing.id !== exceptUserId)
      throw unprocessableField('email', 'a user with this email already exists in the organization');
  }

  async function checkRoleIds(organizationId: string, roleIds: string[] | undefined): Promise<void> {
    if (roleIds === undefined) return;
    await ensureBuiltIns(repositories, organizationId);
    const known = new Set((await repositories.roles.list(organizationId)).map((role) => role.id));
    roleIds.forEach((roleId, index) => {
      if (!known.has(roleId)) throw unprocessableField(`role_ids[${index}]`, `no role ${roleId} in this organization`);
    });
  }

  return {
    requireUser,
    list: (organizationId: string) => repositories.users.list(organizationId),
    async create(organizationId: string, input: UserChanges & { email: string }, actor?: Principal): Promise<UserRow> {
      requireUserAdmin(actor);
      checkRoles(input);
      await checkRoleIds(organizationId, input.role_ids);
      const email = normalizeEmail(input.email);
      await ensureEmailFree(organizationId, email);
      return repositories.users.create(organizationId, {
        email,
        role: input.role ?? (input.role_ids ? null : 'user'),
        role_ids: input.role_ids,
      });
    },
    async update(organizationId: string, id: string, input: UserChanges, actor?: Principal): Promise<UserRow> {
      checkRoles(input);
      await requireUser(organizationId, id);
      requireUserAdmin(actor);
      await checkRoleIds(organizationId, input.role_ids);
      const changes: UserChanges & { role?: string | null } = {};
      if (input.email !== undefined) {
        changes.email = normalizeEmail(input.email);
        await ensureEmailFree(organizationId, changes.email, id);
      }
      if (input.role !== undefined) Object.assign(changes, { role: input.role, role_ids: [] });
      if (input.role_ids !== undefined) Object.assign(changes, { role_ids: input.role_ids, role: null });
      await repositories.users.update(organizationId, id, changes);
      credentialsChanged();
      return requireUser(organizationId, id);
    },
    /** Deleting a user revokes its keys (they cascade). Returns the deleted user, as the spec's UserEnvelope says. */
    async delete(
      organizationId: string,
      id: string,
      callerUserId: string | undefined,
      actor?: Principal,
    ): Promise<UserRow> {
      const user = await requireUser(organizationId, id);
      requireUserAdmin(actor);
      if (callerUserId === id) throw new DomainError('forbidden', 'A user cannot delete itself.');
      await repositories.users.delete(organizationId, id);
      credentialsChanged();
      return user;
    },
  };
}
