// /api/permissions/roles and /api/permissions/policies: CRUD in the caller's organization, or for a partner key in
// the organization named by `organization_id` (body) or `?organization_id=` on reads. Any key of the organization
// may read them; changing them takes the Admin role (or a partner or organization key).
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import type { RouteDefinition } from '../../route.ts';
import type { Caller } from '../../auth/caller.ts';
import { actingOrganizationId } from '../../../services/acting-organization.ts';
import { permissionsService } from '../../../services/permissions-service.ts';
import { policiesService } from '../../../services/policies-service.ts';
import { rolesService } from '../../../services/roles-service.ts';
import type { PolicyRow } from '../../../persistence/repositories/policies-repository.ts';
import type { RoleRow } from '../../../persistence/repositories/roles-repository.ts';
import { IdParams } from '../envelope.ts';
import {
  CreatePolicyRequest,
  CreateRoleRequest,
  ListPoliciesResponseEnvelope,
  PolicyResponseEnvelope,
  RoleListResponseEnvelope,
  RoleResponseEnvelope,
  UpdatePolicyRequest,
  UpdateRoleRequest,
} from './permission-schemas.ts';

const OrganizationQuery = Type.Object({ organization_id: Type.Optional(Type.String({ minLength: 1 })) });

/** The organization a patch names (a partner key's choice), before the merged body is checked. */
function patchedOrganization(patch: unknown): string | undefined {
  const named =
    typeof patch === 'object' && patch !== null ? (patch as Record<string, unknown>).organization_id : undefined;
  return typeof named === 'string' ? named : undefined;
}

function roleToWire(role: RoleRow) {
  return { id: role.id, name: role.name, organization_id: role.organization_id, system: role.system_key !== null };
}

function policyToWire(policy: PolicyRow) {
  return {
    id: policy.id,
    name: policy.name,
    organization_id: policy.organization_id,
    policy_actions: policy.policy_actions,
    system: policy.system_key !== null,
  };
}

export function permissionRoutes(context: AppContext): RouteDefinition[] {
  const { repositories } = context;
  const roles = rolesService(repositories, () => context.credentials.clear());
  const policies = policiesService(repositories);
  const permissions = permissionsService(repositories);
  const organizationOf = (caller: Caller, organizationId: string | undefined) =>
    actingOrganizationId(repositories, caller, organizationId);
  const changing = async (caller: Caller, organizationId: string | undefined, what: string) => {
    permissions.requireAdmin(caller, what);
    return organizationOf(caller, organizationId);
  };

  return [
    {
      operationId: 'permissions.roles.list',
      method: 'GET',
      path: '/api/permissions/roles',
      summary: 'List the roles of the organization, the built-in ones (system: true) first.',
      access: 'organization',
      query: OrganizationQuery,
      response: RoleListResponseEnvelope,
      errors: [401, 404, 500],
      handler: async ({ caller, query }) => ({
        data: (await roles.list(await organizationOf(caller, query.organization_id))).map(roleToWire),
      }),
    },
    {
      operationId: 'permissions.roles.create',
      method: 'POST',
      path: '/api/permissions/roles',
      summary: 'Create a role: a label users hold and policies grant actions to.',
      access: 'organization',
      body: CreateRoleRequest,
      response: RoleResponseEnvelope,
      errors: [400, 401, 403, 404, 422, 500],
      handler: async ({ caller, body }) => {
        const organizationId = await changing(caller, body.organization_id, 'roles');
        return { data: roleToWire(await roles.create(organizationId, body.name)) };
      },
    },
    {
      operationId: 'permissions.roles.get',
      method: 'GET',
      path: '/api/permissions/roles/{id}',
      summary: 'Get a role.',
      access: 'organization',
      params: IdParams,
      query: OrganizationQuery,
      response: RoleResponseEnvelope,
      errors: [401, 404],
      handler: async ({ caller, params, query }) => ({
        data: roleToWire(await roles.requireRole(await organizationOf(caller, query.organization_id), params.id)),
      }),
    },
    {
      operationId: 'permissions.roles.update',
      method: 'PUT',
      path: '/api/permissions/roles/{id}',
      summary: 'Rename a custom role. Built-in roles cannot be changed.',
      access: 'organization',
      params: IdParams,
      body: UpdateRoleRequest,
      response: RoleResponseEnvelope,
      errors: [400, 401, 403, 404, 422, 500],
      currentBody: async ({ caller, params, patch }) => {
        const role = await roles.requireRole(await organizationOf(caller, patchedOrganization(patch)), params.id);
        return { name: role.name };
      },
      handler: async ({ caller, params, body }) => {
        const organizationId = await changing(caller, body.organization_id, 'roles');
        return { data: roleToWire(await roles.update(organizationId, params.id, body.name)) };
      },
    },
    {
      operationId: 'permissions.roles.delete',
      method: 'DELETE',
      path: '/api/permissions/roles/{id}',
      summary: 'Delete a custom role: users and policy grants holding it lose it. Built-in roles cannot be deleted.',
      access: 'organization',
      params: IdParams,
      query: OrganizationQuery,
      errors: [401, 403, 404, 500],
      handler: async ({ caller, params, query }) => {
        await roles.delete(await changing(caller, query.organization_id, 'roles'), params.id);
        return undefined;
      },
    },
    {
      operationId: 'permissions.policies.list',
      method: 'GET',
      path: '/api/permissions/policies',
      summary: 'List the policies of the organization, the built-in ones (system: true) first.',
      access: 'organization',
      query: OrganizationQuery,
      response: ListPoliciesResponseEnvelope,
      errors: [401, 404, 500],
      handler: async ({ caller, query }) => ({
        data: (await policies.list(await organizationOf(caller, query.organization_id))).map(policyToWire),
      }),
    },
    {
      operationId: 'permissions.policies.create',
      method: 'POST',
      path: '/api/permissions/policies',
      summary:
        'Create a policy: the actions it grants, each to some roles. Attach it to objects through their policies.',
      access: 'organization',
      body: CreatePolicyRequest,
      response: PolicyResponseEnvelope,
      errors: [400, 401, 403, 404, 422, 500],
      handler: async ({ caller, body }) => {
        const organizationId = await changing(caller, body.organization_id, 'policies');
        return { data: policyToWire(await policies.create(organizationId, body)) };
      },
    },
    {
      operationId: 'permissions.policies.get',
      method: 'GET',
      path: '/api/permissions/policies/{id}',
      summary: 'Get a policy.',
      access: 'organization',
      params: IdParams,
      query: OrganizationQuery,
      response: PolicyResponseEnvelope,
      errors: [401, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: policyToWire(
          await policies.requirePolicy(await organizationOf(caller, query.organization_id), params.id),
        ),
      }),
    },
    {
      operationId: 'permissions.policies.update',
      method: 'PUT',
      path: '/api/permissions/policies/{id}',
      summary:
        "Replace a policy's name and grants (policy_actions absent keeps them). Built-in policies keep their names.",
      access: 'organization',
      params: IdParams,
      body: UpdatePolicyRequest,
      response: PolicyResponseEnvelope,
      errors: [400, 401, 403, 404, 422, 500],
      currentBody: async ({ caller, params, patch }) => {
        const policy = await policies.requirePolicy(
          await organizationOf(caller, patchedOrganization(patch)),
          params.id,
        );
        return { name: policy.name, policy_actions: policy.policy_actions };
      },
      handler: async ({ caller, params, body }) => {
        const organizationId = await changing(caller, body.organization_id, 'policies');
        return { data: policyToWire(await policies.update(organizationId, params.id, body)) };
      },
    },
    {
      operationId: 'permissions.policies.delete',
      method: 'DELETE',
      path: '/api/permissions/policies/{id}',
      summary: 'Delete a custom policy; it stops granting anything on the objects it was attached to.',
      access: 'organization',
      params: IdParams,
      query: OrganizationQuery,
      errors: [401, 403, 404, 500],
      handler: async ({ caller, params, query }) => {
        await policies.delete(await changing(caller, query.organization_id, 'policies'), params.id);
        return undefined;
      },
    },
  ];
}
