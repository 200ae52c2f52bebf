// GET /api/me (the 2025-09-18 API reference: GetIdentityResponseSchema).
import Type from 'typebox';
import { Envelope } from '../envelope.ts';

const Identity = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Omitted for non-user callers.' })),
    email: Type.Optional(Type.String()),
    is_organization: Type.Optional(Type.Boolean()),
    is_partner: Type.Optional(Type.Boolean()),
    is_system: Type.Optional(Type.Boolean()),
    is_user: Type.Optional(Type.Boolean()),
    organization_id: Type.Optional(Type.String()),
    organization_name: Type.Optional(Type.String()),
    role: Type.Optional(Type.String({ description: 'Deprecated legacy role name; only for user callers.' })),
  },
  { title: 'GetIdentityResponseSchema' },
);

export const IdentityEnvelope = Envelope('GetIdentityResponseEnvelope', Identity);
