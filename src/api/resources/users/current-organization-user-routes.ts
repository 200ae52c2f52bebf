// /api/organization/users…: users of the caller's own organization (2025-09-18 only).
import type { AppContext } from '../../../app-context.ts';
import type { RouteDefinition } from '../../route.ts';
import { usersService } from '../../../services/users-service.ts';
import { IdParams } from '../envelope.ts';
import {
  CurrentOrgCreateUserRequest,
  CurrentOrgUpdateUserRequest,
  ListUsersEnvelope,
  UserEnvelope,
} from './user-schemas.ts';
import { userToWire } from './user-wire.ts';

export function currentOrganizationUserRoutes(context: AppContext): RouteDefinition[] {
  const users = usersService(context.repositories, () => context.credentials.clear());
  return [
    {
      operationId: 'users.listCurrentOrgUsers',
      method: 'GET',
      path: '/api/organization/users',
      summary: "List the users of the caller's organization.",
      access: 'organization',
      response: ListUsersEnvelope,
      errors: [403, 404],
      handler: async ({ caller }) => ({ data: (await users.list(caller.organizationId)).map(userToWire) }),
    },
    {
      operationId: 'users.createCurrentOrgUser',
      method: 'POST',
      path: '/api/organization/users',
      summary: "Create a user in the caller's organization.",
      access: 'organization',
      body: CurrentOrgCreateUserRequest,
      response: UserEnvelope,
      errors: [403, 422, 500],
      handler: async ({ caller, body }) => ({
        data: userToWire(await users.create(caller.organizationId, body, caller)),
      }),
    },
    {
      operationId: 'users.getCurrentOrgUser',
      method: 'GET',
      path: '/api/organization/users/{id}',
      summary: "Get a user of the caller's organization.",
      access: 'organization',
      params: IdParams,
      response: UserEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => ({
        data: userToWire(await users.requireUser(caller.organizationId, params.id)),
      }),
    },
    {
      operationId: 'users.updateCurrentOrgUser',
      method: 'PUT',
      path: '/api/organization/users/{id}',
      summary: "Change a user's role in the caller's organization.",
      access: 'organization',
      params: IdParams,
      body: CurrentOrgUpdateUserRequest,
      response: UserEnvelope,
      errors: [403, 422, 500],
      handler: async ({ caller, params, body }) => ({
        data: userToWire(await users.update(caller.organizationId, params.id, body, caller)),
      }),
    },
    {
      operationId: 'users.deleteCurrentOrgUser',
      method: 'DELETE',
      path: '/api/organization/users/{id}',
      summary: "Delete a user of the caller's organization; its API keys stop working.",
      access: 'organization',
      params: IdParams,
      response: UserEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => ({
        data: userToWire(await users.delete(caller.organizationId, params.id, caller.userId, caller)),
      }),
    },
  ];
}
