// Wire shapes of roles and policies (the API reference: RoleResponse, PolicyResponse, PolicyAction, the
// permissions.* requests). Requests are strict: an unknown field is a 400 naming it.
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';

const RoleResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    organization_id: Type.Optional(Type.String()),
    system: Type.Optional(Type.Boolean()),
  },
  { title: 'RoleResponse' },
);

const PolicyAction = Type.Object(
  { action: Type.String({ minLength: 1 }), role_ids: Type.Optional(Type.Array(Type.String({ minLength: 1 }))) },
  { title: 'PolicyAction', additionalProperties: false },
);

const PolicyResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    organization_id: Type.Optional(Type.String()),
    policy_actions: Type.Optional(Type.Array(PolicyAction)),
    system: Type.Optional(Type.Boolean()),
  },
  { title: 'PolicyResponse' },
);

const name = Type.String({ minLength: 1, maxLength: 200 });
const organizationId = Type.Optional(Type.String({ minLength: 1 }));
const policyActions = Type.Optional(Type.Array(PolicyAction, { maxItems: 50 }));

export const CreateRoleRequest = Type.Object(
  { name, organization_id: organizationId },
  { title: 'permissions.CreateRoleRequest', additionalProperties: false },
);
export const UpdateRoleRequest = Type.Object(
  { name, organization_id: organizationId },
  { title: 'permissions.UpdateRoleRequest', additionalProperties: false },
);
export const CreatePolicyRequest = Type.Object(
  { name, organization_id: organizationId, policy_actions: policyActions },
  { title: 'permissions.CreatePolicyRequest', additionalProperties: false },
);
export const UpdatePolicyRequest = Type.Object(
  { name, organization_id: organizationId, policy_actions: policyActions },
  { title: 'permissions.UpdatePolicyRequest', additionalProperties: false },
);

export const RoleResponseEnvelope = Envelope('RoleResponseEnvelope', RoleResponse);
export const RoleListResponseEnvelope = ListEnvelope('RoleListResponseEnvelope', RoleResponse);
export const PolicyResponseEnvelope = Envelope('PolicyResponseEnvelope', PolicyResponse);
export const ListPoliciesResponseEnvelope = ListEnvelope('ListPoliciesResponseEnvelope', PolicyResponse);
