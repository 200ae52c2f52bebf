// /api/organizations/{org_id}/users…: users of any organization the partner manages. In 2025-09-18 these need a
// partner key; the 2024-02-08 version change also admits an organization-scoped key on its own organization.
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { apiKeysRepository } from '../../../persistence/repositories/api-keys-repository.ts';
import { ApiError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import { organizationInScope } from '../../../services/organization-scope.ts';
import { usersService } from '../../../services/users-service.ts';
import {
  ApiKeyResponseEnvelope,
  CreateApiKeyQuery,
  CreateUserRequest,
  ListUsersEnvelope,
  UpdateUserRequest,
  UserEnvelope,
} from './user-schemas.ts';
import { userToWire } from './user-wire.ts';

const OrgParams = Type.Object({ org_id: Type.String() });
const OrgUserParams = Type.Object({ org_id: Type.String(), id: Type.String() });

export function partnerUserRoutes(context: AppContext): RouteDefinition[] {
  const { repositories } = context;
  const users = usersService(repositories, () => context.credentials.clear());
  return [
    {
      operationId: 'users.list',
      method: 'GET',
      path: '/api/organizations/{org_id}/users',
      summary: 'List the users of an organization (partner).',
      access: 'partner',
      params: OrgParams,
      response: ListUsersEnvelope,
      errors: [403, 404],
      handler: async ({ caller, params }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        return { data: (await users.list(organization.id)).map(userToWire) };
      },
    },
    {
      operationId: 'users.create',
      method: 'POST',
      path: '/api/organizations/{org_id}/users',
      summary: 'Create a user in an organization (partner).',
      access: 'partner',
      params: OrgParams,
      body: CreateUserRequest,
      response: UserEnvelope,
      errors: [403, 422, 500],
      handler: async ({ caller, params, body }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        return { data: userToWire(await users.create(organization.id, body, caller)) };
      },
    },
    {
      operationId: 'users.get',
      method: 'GET',
      path: '/api/organizations/{org_id}/users/{id}',
      summary: 'Get a user of an organization (partner).',
      access: 'partner',
      params: OrgUserParams,
      response: UserEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        return { data: userToWire(await users.requireUser(organization.id, params.id)) };
      },
    },
    {
      operationId: 'users.update',
      method: 'PUT',
      path: '/api/organizations/{org_id}/users/{id}',
      summary: 'Update a user of an organization (partner).',
      access: 'partner',
      params: OrgUserParams,
      body: UpdateUserRequest,
      response: UserEnvelope,
      errors: [403, 422, 500],
      // role and role_ids are kept by the update when left out (and may not be sent together): only the email is needed.
      currentBody: async ({ caller, params }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        return { email: (await users.requireUser(organization.id, params.id)).email };
      },
      handler: async ({ caller, params, body }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        return { data: userToWire(await users.update(organization.id, params.id, body, caller)) };
      },
    },
    {
      operationId: 'users.delete',
      method: 'DELETE',
      path: '/api/organizations/{org_id}/users/{id}',
      summary: 'Delete a user of an organization (partner); its API keys stop working.',
      access: 'partner',
      params: OrgUserParams,
      response: UserEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        return { data: userToWire(await users.delete(organization.id, params.id, caller.userId, caller)) };
      },
    },
    {
      operationId: 'users.createApiKey',
      method: 'POST',
      path: '/api/organizations/{org_id}/users/{id}/keys',
      summary:
        "Issue an organization-scoped API key for a user (partner). The value is shown once. With force=true the user's existing keys are revoked first; without it, a user that already has a key gets 409.",
      access: 'partner',
      params: OrgUserParams,
      query: CreateApiKeyQuery,
      response: ApiKeyResponseEnvelope,
      errors: [403, 404, 409, 500],
      handler: async ({ caller, params, query }) => {
        const organization = await organizationInScope(repositories, caller, params.org_id);
        const user = await users.requireUser(organization.id, params.id);
        const value = await context.database.db.transaction().execute(async (tx) => {
          const scoped = apiKeysRepository(tx, context.clock);
          const existing = await scoped.listActiveForUser(user.id);
          if (existing.length > 0 && !query.force) {
            throw new ApiError('conflict', 'The user already has an API key; pass force=true to replace it.', {
              metadata: { field: 'force' },
            });
          }
          await scoped.revokeForUser(user.id);
          const created = await scoped.create({
            kind: 'user',
            partnerId: organization.partner_id,
            organizationId: organization.id,
            userId: user.id,
          });
          return created.value;
        });
        context.credentials.clear();
        return { data: { value } };
      },
    },
  ];
}
