// /api/organizations… (partner) and /api/organization (the caller's own).
import type { AppContext } from '../../../app-context.ts';
import { ApiError, fieldError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { Caller } from '../../auth/caller.ts';
import type { OrganizationRow } from '../../../persistence/repositories/organizations-repository.ts';
import { organizationInScope } from '../../../services/organization-scope.ts';
import { IdParams } from '../envelope.ts';
import {
  CreateOrganizationRequest,
  OrganizationEnvelope,
  OrganizationsEnvelope,
  UpdateOrganizationRequest,
} from './organization-schemas.ts';

function organizationToWire(organization: OrganizationRow) {
  return {
    id: organization.id,
    name: organization.name,
    ...(organization.issuer ? { issuer: organization.issuer } : {}),
    ...(organization.sso_domain ? { sso_domain: organization.sso_domain } : {}),
    ...(organization.sso_org_id ? { sso_org_id: organization.sso_org_id } : {}),
  };
}

interface OrganizationBody {
  name: string;
  client_id?: string;
  client_secret?: string;
  issuer?: string;
  sso_domain?: string;
  sso_org_id?: string;
}

export function organizationRoutes(context: AppContext): RouteDefinition[] {
  const { repositories, secretBox } = context;

  const fromBody = (body: OrganizationBody) => ({
    name: body.name.trim(),
    client_id: body.client_id ?? null,
    client_secret_sealed: body.client_secret ? secretBox.seal(body.client_secret) : null,
    issuer: body.issuer ?? null,
    sso_domain: body.sso_domain ?? null,
    sso_org_id: body.sso_org_id ?? null,
  });

  async function ensureNameFree(caller: Caller, name: string, exceptId?: string): Promise<void> {
    const existing = await repositories.organizations.findByName(caller.partnerId, name.trim());
    if (existing && existing.id !== exceptId)
      throw new ApiError('already_exists', 'An organization with this name already exists.', {
        metadata: { field: 'name' },
      });
  }

  return [
    {
      operationId: 'organization.getCurrent',
      method: 'GET',
      path: '/api/organization',
      summary: "The caller's organization.",
      access: 'organization',
      response: OrganizationEnvelope,
      errors: [401, 403, 404],
      handler: async ({ caller }) => ({
        data: organizationToWire(await organizationInScope(repositories, caller, caller.organizationId)),
      }),
    },
    {
      operationId: 'organization.list',
      method: 'GET',
      path: '/api/organizations',
      summary:
        "The partner's organizations: its owner organization first, then the others by creation. (2024-02-08 also answers a non-partner key, with its own organization.)",
      access: 'partner',
      response: OrganizationsEnvelope,
      errors: [500],
      handler: async ({ caller }) => {
        if (caller.kind !== 'partner')
          return { data: [organizationToWire(await organizationInScope(repositories, caller, caller.organizationId))] };
        const partner = await repositories.partners.get(caller.partnerId);
        const organizations = await repositories.organizations.listForPartner(caller.partnerId);
        const owner = organizations.filter((organization) => organization.id === partner?.owner_organization_id);
        const others = organizations.filter((organization) => organization.id !== partner?.owner_organization_id);
        return { data: [...owner, ...others].map(organizationToWire) };
      },
    },
    {
      operationId: 'organization.create',
      method: 'POST',
      path: '/api/organizations',
      summary: 'Create an organization (partner). Names are unique across the partner account.',
      access: 'partner',
      body: CreateOrganizationRequest,
      response: OrganizationEnvelope,
      errors: [409, 422, 500],
      handler: async ({ caller, body }) => {
        if (body.name.trim() === '') throw fieldError('name', 'must not be blank', 'unprocessable');
        await ensureNameFree(caller, body.name);
        return { data: organizationToWire(await repositories.organizations.create(caller.partnerId, fromBody(body))) };
      },
    },
    {
      operationId: 'organization.get',
      method: 'GET',
      path: '/api/organizations/{id}',
      summary: "Get an organization: any of the partner's, or an organization-scoped key's own.",
      access: 'any',
      params: IdParams,
      response: OrganizationEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => ({
        data: organizationToWire(await organizationInScope(repositories, caller, params.id)),
      }),
    },
    {
      operationId: 'organization.update',
      method: 'PUT',
      path: '/api/organizations/{id}',
      summary: "Replace an organization's settings (partner); SSO/OIDC settings are replaced in full.",
      access: 'partner',
      params: IdParams,
      body: UpdateOrganizationRequest,
      response: OrganizationEnvelope,
      errors: [403, 409, 422, 500],
      // The client secret is never shown, but an update without it clears it: a patch that leaves it out keeps it.
      currentBody: async ({ caller, params }) => {
        const organization = await organizationInScope(repositories, caller, params.id);
        const optional = (key: string, value: string | null) => (value ? { [key]: value } : {});
        return {
          name: organization.name,
          ...optional('client_id', organization.client_id),
          ...optional(
            'client_secret',
            organization.client_secret_sealed ? secretBox.open(organization.client_secret_sealed) : null,
          ),
          ...optional('issuer', organization.issuer),
          ...optional('sso_domain', organization.sso_domain),
          ...optional('sso_org_id', organization.sso_org_id),
        };
      },
      handler: async ({ caller, params, body }) => {
        const organization = await organizationInScope(repositories, caller, params.id);
        if (body.name.trim() === '') throw fieldError('name', 'must not be blank', 'unprocessable');
        await ensureNameFree(caller, body.name, organization.id);
        await repositories.organizations.update(organization.id, fromBody(body));
        context.credentials.clear();
        return { data: organizationToWire(await organizationInScope(repositories, caller, organization.id)) };
      },
    },
    {
      operationId: 'organization.delete',
      method: 'DELETE',
      path: '/api/organizations/{id}',
      summary:
        "Delete an organization (partner), with its users and keys. The partner's owner organization cannot be deleted.",
      access: 'partner',
      params: IdParams,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const organization = await organizationInScope(repositories, caller, params.id);
        const partner = await repositories.partners.get(caller.partnerId);
        if (partner?.owner_organization_id === organization.id)
          throw new ApiError('forbidden', "The partner's owner organization cannot be deleted.");
        await repositories.organizations.delete(organization.id);
        context.credentials.clear();
        return undefined;
      },
    },
  ];
}
