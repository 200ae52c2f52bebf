// Connect card: POST /api/connections/connect/ returns a signed, expiring link to a minimal hosted form. The form
// creates the connection (tested, with validate) in the caller's organization and redirects to `redirect_url`
// with `connection_id`. The token carries everything, so any Ferry process can serve the form.
import type { AppContext } from '../../../app-context.ts';
import { ApiError, fieldError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import { actingOrganizationId } from '../../../services/acting-organization.ts';
import { ConnectCardRequest, ConnectCardResponseEnvelope } from './connection-schemas.ts';

const connectCardTtlMs = 60 * 60 * 1000;

export interface ConnectCardClaims {
  organization_id: string;
  partner_id: string;
  actor_key_id: string;
  name: string;
  redirect_url: string;
  /** The types the form offers: the one `type`, the whitelist, or every type. */
  types: string[];
  dark: boolean;
}

export function connectCardRoutes(context: AppContext): RouteDefinition[] {
  return [
    {
      operationId: 'connections.connect',
      method: 'POST',
      path: '/api/connections/connect',
      summary: `A connect card: a signed link (valid ${connectCardTtlMs / 60000} minutes) to a hosted form that creates the connection and redirects to redirect_url?connection_id=….`,
      access: 'organization',
      body: ConnectCardRequest,
      response: ConnectCardResponseEnvelope,
      errors: [401, 403, 422, 500],
      handler: async ({ caller, body }) => {
        try {
          const url = new URL(body.redirect_url);
          if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
        } catch {
          throw fieldError('redirect_url', 'must be an absolute http(s) URL', 'unprocessable');
        }
        const known = context.connectors.list().map((connector) => connector.type);
        const wanted = body.type ? [body.type] : (body.whitelist ?? known);
        const unknown = wanted.find((type: string) => !known.includes(type));
        if (unknown)
          throw fieldError(body.type ? 'type' : 'whitelist', `unknown connection type "${unknown}"`, 'unprocessable');
        if (wanted.length === 0)
          throw fieldError('whitelist', 'must name at least one connection type', 'unprocessable');
        const organizationId = await actingOrganizationId(context.repositories, caller, body.organization_id);
        const claims: ConnectCardClaims = {
          organization_id: organizationId,
          partner_id: caller.partnerId,
          actor_key_id: caller.keyId,
          name: body.name,
          redirect_url: body.redirect_url,
          types: wanted,
          dark: Boolean(body.dark),
        };
        if (!claims.types.length) throw new ApiError('unprocessable', 'No connection type to offer.');
        const token = context.signer('connect-card').sign({ ...claims }, connectCardTtlMs);
        return { data: { token, redirect_url: `${context.config.publicUrl}/connect/${token}` } };
      },
    },
  ];
}
