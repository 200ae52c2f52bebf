// The permission decisions every route of connections, models, model syncs and bulk syncs asks for. Partner and
// organization keys, and users holding the Admin role, may do everything. Any other user may do an action on an
// object when the built-in policy of its kind, or a policy attached to it, grants the action to a role the user
// holds (domain/permission-model.ts). A user who may not `read` an object is told it does not exist (404), so
// nothing leaks; one who may read it but not act is refused (403). docs/permissions.md has the rules.
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import { policiesAllow, type ObjectKind, type PolicyActionName } from '../domain/permission-model.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import type { PolicyRow } from '../persistence/repositories/policies-repository.ts';
import { builtInPolicyId, builtInRoleId, ensureBuiltIns } from './permissions-catalog.ts';
import type { Principal } from './principal.ts';

/** How each kind is named in its routes' 404 messages (the same words its service uses). */
const objectNames: Readonly<Record<ObjectKind, string>> = {
  connection: 'connection',
  model: 'model',
  model_sync: 'model sync',
  bulk_sync: 'bulk sync',
};

/** The role ids a user holds: its role_ids, and the built-in role its legacy role name stands for. */
function heldRoleIds(principal: Principal): Set<string> {
  const held = new Set(principal.userRoleIds ?? []);
  if (principal.userRole === 'admin') held.add(builtInRoleId(principal.organizationId, 'admin'));
  // Polytomic's legacy `user` role could change everything but users: the built-in Editor.
  if (principal.userRole === 'user') held.add(builtInRoleId(principal.organizationId, 'editor'));
  return held;
}

/** Partner and organization keys, and Admin users, are not restricted by policies. */
export function unrestricted(principal: Principal): boolean {
  if (principal.kind !== 'user' || principal.userRole === 'admin') return true;
  return principal.userRoleIds?.includes(builtInRoleId(principal.organizationId, 'admin')) ?? false;
}

function forbidden(action: string, what: string): DomainError {
  return new DomainError('forbidden', `Your roles do not allow ${action} on this ${what}.`, {
    details: { reason: 'policy_denied', action },
  });
}

export function permissionsService(repositories: Repositories) {
  async function organizationPolicies(organizationId: string): Promise<Map<string, PolicyRow>> {
    await ensureBuiltIns(repositories, organizationId);
    return new Map((await repositories.policies.list(organizationId)).map((policy) => [policy.id, policy]));
  }

  function effective(all: Map<string, PolicyRow>, kind: ObjectKind, organizationId: string, attached: string[]) {
    const policies: PolicyRow[] = [];
    for (const id of [builtInPolicyId(organizationId, kind), ...attached]) {
      const policy = all.get(id);
      if (policy) policies.push(policy);
    }
    return policies;
  }

  return {
    /**
     * Refuses `action` on the object: 404 when the caller may not read it, 403 when it may read but not act. An id
     * the organization does not have passes, so the route answers its own 404.
     */
    async requireOn(principal: Principal, kind: ObjectKind, id: string, action: PolicyActionName): Promise<void> {
      if (unrestricted(principal)) return;
      const attached = await repositories.objectPolicies.of(principal.organizationId, kind, id);
      if (attached === undefined) return;
      const policies = effective(
        await organizationPolicies(principal.organizationId),
        kind,
        principal.organizationId,
        attached,
      );
      const held = heldRoleIds(principal);
      if (!policiesAllow(kind, 'read', held, policies)) throw notFound(objectNames[kind]);
      if (action !== 'read' && !policiesAllow(kind, action, held, policies)) throw forbidden(action, objectNames[kind]);
    },

    /** Creating an object is decided by the built-in policy of its kind (the object has no policies yet). */
    async requireCreate(principal: Principal, kind: ObjectKind): Promise<void> {
      if (unrestricted(principal)) return;
      const all = await organizationPolicies(principal.organizationId);
      if (!policiesAllow(kind, 'create', heldRoleIds(principal), effective(all, kind, principal.organizationId, [])))
        throw forbidden('create', objectNames[kind]);
    },

    /** The ids of the kind the caller may read, or undefined when it may read every one. */
    async readableIds(principal: Principal, kind: ObjectKind): Promise<Set<string> | undefined> {
      if (unrestricted(principal)) return undefined;
      const all = await organizationPolicies(principal.organizationId);
      const held = heldRoleIds(principal);
      const readable = new Set<string>();
      for (const [id, attached] of await repositories.objectPolicies.all(principal.organizationId, kind))
        if (policiesAllow(kind, 'read', held, effective(all, kind, principal.organizationId, attached)))
          readable.add(id);
      return readable;
    },

    /**
     * Policies named in a create or update body must be the organization's, and a restricted caller must hold
     * `apply_policy` in each one it newly attaches.
     */
    async requireAttachable(
      principal: Principal,
      organizationId: string,
      named: readonly string[],
      alreadyAttached: readonly string[] = [],
    ): Promise<void> {
      const all = await organizationPolicies(organizationId);
      named.forEach((id, index) => {
        if (!all.has(id)) throw unprocessableField(`policies[${index}]`, `no policy ${id} in this organization`);
      });
      if (unrestricted(principal)) return;
      const held = heldRoleIds(principal);
      for (const id of named) {
        if (alreadyAttached.includes(id)) continue;
        const policy = all.get(id)!;
        const grants = policy.policy_actions.some(
          (grant) => grant.action === 'apply_policy' && grant.role_ids.some((roleId) => held.has(roleId)),
        );
        if (!grants)
          throw new DomainError('forbidden', `Your roles do not allow attaching the policy "${policy.name}".`, {
            details: { field: 'policies', reason: 'policy_denied', action: 'apply_policy', policy_id: id },
          });
      }
    },

    /** Roles, policies and users' roles are changed by Admins (and partner and organization keys) only. */
    requireAdmin(principal: Principal, what: string): void {
      if (!unrestricted(principal))
        throw new DomainError('forbidden', `Only the Admin role may change ${what}.`, {
          details: { reason: 'admin_required' },
        });
    },

    attachedPolicies: (organizationId: string, kind: ObjectKind, id: string) =>
      repositories.objectPolicies.of(organizationId, kind, id),
  };
}

export type PermissionsService = ReturnType<typeof permissionsService>;
