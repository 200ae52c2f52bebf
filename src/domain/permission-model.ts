// Polytomic's permission model: roles are labels, a policy grants each of its actions to some roles, and an object
// allows an action to a caller when any policy attached to it (the built-in policy of its kind included) grants
// that action to a role the caller holds. Pure data and one decision function; the catalog of stored roles and
// policies, and who calls this, are the services' (services/permissions-service.ts).

export const objectKinds = ['connection', 'model', 'model_sync', 'bulk_sync'] as const;
export type ObjectKind = (typeof objectKinds)[number];

export const policyActions = [
  'apply_policy',
  'create',
  'delete',
  'edit',
  'read',
  'sync_from',
  'sync_to',
  'trigger',
] as const;
export type PolicyActionName = (typeof policyActions)[number];

/**
 * The actions that mean something for each kind of object. Any other action in a policy attached to the object is
 * ignored there (a model cannot be triggered; only a connection is synced from or to). `apply_policy` is about the
 * policy itself (who may attach it), so it is checked on the policy, never on the object.
 */
const applicableActions: Readonly<Record<ObjectKind, readonly PolicyActionName[]>> = {
  connection: ['create', 'delete', 'edit', 'read', 'sync_from', 'sync_to'],
  model: ['create', 'delete', 'edit', 'read'],
  model_sync: ['create', 'delete', 'edit', 'read', 'trigger'],
  bulk_sync: ['create', 'delete', 'edit', 'read', 'trigger'],
};

export const builtInRoleKeys = ['admin', 'editor', 'sync_editor', 'viewer'] as const;
export type BuiltInRoleKey = (typeof builtInRoleKeys)[number];

export const builtInRoleNames: Readonly<Record<BuiltInRoleKey, string>> = {
  admin: 'Admin',
  editor: 'Editor',
  sync_editor: 'Sync Editor',
  viewer: 'Viewer',
};

interface PolicyGrant {
  action: string;
  role_ids: string[];
}

interface BuiltInPolicy {
  kind: ObjectKind;
  name: string;
  /** Action → the built-in roles it is granted to when the organization's policies are first created. */
  grants: Partial<Record<PolicyActionName, readonly BuiltInRoleKey[]>>;
}

const everyone = ['admin', 'editor', 'sync_editor', 'viewer'] as const;
const editors = ['admin', 'editor'] as const;
const syncEditors = ['admin', 'editor', 'sync_editor'] as const;

/**
 * The defaults of Polytomic's four built-in roles: Admin and Editor change anything, Sync Editor sees everything and
 * changes only syncs (so it may sync from and to any connection), Viewer sees everything and changes nothing.
 */
export const builtInPolicies: readonly BuiltInPolicy[] = [
  {
    kind: 'connection',
    name: 'Connections',
    grants: {
      apply_policy: editors,
      create: editors,
      delete: editors,
      edit: editors,
      read: everyone,
      sync_from: syncEditors,
      sync_to: syncEditors,
    },
  },
  {
    kind: 'model',
    name: 'Models',
    grants: { apply_policy: editors, create: editors, delete: editors, edit: editors, read: everyone },
  },
  {
    kind: 'model_sync',
    name: 'Model syncs',
    grants: {
      apply_policy: syncEditors,
      create: syncEditors,
      delete: syncEditors,
      edit: syncEditors,
      read: everyone,
      trigger: syncEditors,
    },
  },
  {
    kind: 'bulk_sync',
    name: 'Bulk syncs',
    grants: {
      apply_policy: syncEditors,
      create: syncEditors,
      delete: syncEditors,
      edit: syncEditors,
      read: everyone,
      trigger: syncEditors,
    },
  },
];

/** Whether any of `policies` grants `action` to one of `heldRoleIds`, for an object of `kind`. */
export function policiesAllow(
  kind: ObjectKind,
  action: PolicyActionName,
  heldRoleIds: ReadonlySet<string>,
  policies: readonly { policy_actions: readonly PolicyGrant[] }[],
): boolean {
  if (action !== 'apply_policy' && !applicableActions[kind].includes(action)) return false;
  for (const policy of policies)
    for (const grant of policy.policy_actions)
      if (grant.action === action && grant.role_ids.some((roleId) => heldRoleIds.has(roleId))) return true;
  return false;
}
