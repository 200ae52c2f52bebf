// The built-in roles and policies of an organization. Their ids are derived from the organization id, so every
// process knows them without a query (the Admin check on every user request costs nothing), and inserting them is
// idempotent: the first permission check or role/policy route of an organization creates them, whichever process
// gets there first.
import { createHash } from 'node:crypto';
import {
  builtInPolicies,
  builtInRoleKeys,
  builtInRoleNames,
  type BuiltInRoleKey,
  type ObjectKind,
} from '../domain/permission-model.ts';
import type { Repositories } from '../persistence/repositories/index.ts';

function derivedUuid(organizationId: string, name: string): string {
  const hex = createHash('sha256').update(`ferry-permissions/${organizationId}/${name}`).digest('hex');
  // Shaped as a version-8 (custom) RFC 9562 UUID, so it looks like every other id.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Each organization's Admin role id, remembered: unrestricted() asks for it on every user request (a SHA-256). */
const adminRoleIds = new Map<string, string>();
const rememberedAdminRoleIds = 10_000;

export function builtInRoleId(organizationId: string, key: BuiltInRoleKey): string {
  if (key !== 'admin') return derivedUuid(organizationId, `role/${key}`);
  let id = adminRoleIds.get(organizationId);
  if (id === undefined) {
    if (adminRoleIds.size >= rememberedAdminRoleIds) adminRoleIds.clear();
    id = derivedUuid(organizationId, 'role/admin');
    adminRoleIds.set(organizationId, id);
  }
  return id;
}

export function builtInPolicyId(organizationId: string, kind: ObjectKind): string {
  return derivedUuid(organizationId, `policy/${kind}`);
}

/**
 * Organizations whose built-ins this process has already made sure of. Organization ids are random UUIDs, so one
 * set serves every Ferry instance of the process (tests run several).
 */
const ensured = new Set<string>();

export async function ensureBuiltIns(repositories: Repositories, organizationId: string): Promise<void> {
  if (ensured.has(organizationId)) return;
  await repositories.roles.ensure(
    builtInRoleKeys.map((key) => ({
      id: builtInRoleId(organizationId, key),
      organization_id: organizationId,
      name: builtInRoleNames[key],
      system_key: key,
    })),
  );
  await repositories.policies.ensure(
    builtInPolicies.map((policy) => ({
      id: builtInPolicyId(organizationId, policy.kind),
      organization_id: organizationId,
      name: policy.name,
      system_key: policy.kind,
      policy_actions: Object.entries(policy.grants).map(([action, roles]) => ({
        action,
        role_ids: (roles ?? []).map((key) => builtInRoleId(organizationId, key)),
      })),
    })),
  );
  ensured.add(organizationId);
}
