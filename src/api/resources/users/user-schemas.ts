// Wire shapes of users and API keys (the 2025-09-18 API reference: User, CreateUserRequestSchema, …, ApiKeyResponse).
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';

const User = Type.Object(
  {
    id: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    organization_id: Type.Optional(Type.String()),
    role: Type.Optional(Type.String({ description: 'Deprecated legacy role name; use role_ids.' })),
    role_ids: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'User' },
);

const email = Type.String({ format: 'email', maxLength: 320 });
const role = Type.Optional(
  Type.String({ minLength: 1, description: 'Deprecated legacy role name; use role_ids. Not together with role_ids.' }),
);
const roleIds = Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }));

export const CreateUserRequest = Type.Object({ email, role, role_ids: roleIds }, { title: 'CreateUserRequestSchema' });
export const UpdateUserRequest = Type.Object({ email, role, role_ids: roleIds }, { title: 'UpdateUserRequestSchema' });
export const CurrentOrgCreateUserRequest = Type.Object(
  { email, role, role_ids: roleIds },
  { title: 'CurrentOrgCreateUserRequestSchema' },
);
export const CurrentOrgUpdateUserRequest = Type.Object(
  { role, role_ids: roleIds },
  { title: 'CurrentOrgUpdateUserRequestSchema' },
);
export const UserEnvelope = Envelope('UserEnvelope', User);
export const ListUsersEnvelope = ListEnvelope('ListUsersEnvelope', User);

const ApiKeyResponse = Type.Object(
  { value: Type.Optional(Type.String({ description: 'Returned only at creation.' })) },
  { title: 'ApiKeyResponse' },
);
export const ApiKeyResponseEnvelope = Envelope('ApiKeyResponseEnvelope', ApiKeyResponse);
export const CreateApiKeyQuery = Type.Object({
  force: Type.Optional(Type.Boolean({ description: "Revoke the user's existing key and issue a new one." })),
});
