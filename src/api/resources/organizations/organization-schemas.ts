// Wire shapes of organizations (the 2025-09-18 API reference: Organization, Create/UpdateOrganizationRequestSchema).
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';

const Organization = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    issuer: Type.Optional(Type.String()),
    sso_domain: Type.Optional(Type.String()),
    sso_org_id: Type.Optional(Type.String()),
  },
  { title: 'Organization' },
);

const organizationFields = {
  name: Type.String({ minLength: 1, maxLength: 255, description: 'Unique across the partner account.' }),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String({ description: 'Write-only; stored encrypted.' })),
  issuer: Type.Optional(Type.String()),
  sso_domain: Type.Optional(Type.String()),
  sso_org_id: Type.Optional(Type.String()),
};

export const CreateOrganizationRequest = Type.Object(organizationFields, { title: 'CreateOrganizationRequestSchema' });
export const UpdateOrganizationRequest = Type.Object(organizationFields, { title: 'UpdateOrganizationRequestSchema' });
export const OrganizationEnvelope = Envelope('OrganizationEnvelope', Organization);
export const OrganizationsEnvelope = ListEnvelope('OrganizationsEnvelope', Organization);
