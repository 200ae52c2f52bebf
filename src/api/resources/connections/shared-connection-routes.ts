// Shared connections: a partner copies a connection into a child organization; the copy uses the parent's
// configuration without revealing it. 2024-02-08: POST /api/connections/{parent_connection_id}/share.
// 2025-09-18: POST and GET /api/organizations/{org_id}/connections/{connection_id}/shared (partner).
// Both: GET /api/connections/{id}/shared (the parent's own organization).
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { notFound } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { Caller } from '../../auth/caller.ts';
import { organizationInScope } from '../../../services/organization-scope.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import type { ConnectionRow } from '../../../persistence/repositories/connections-repository.ts';
import { IdParams } from '../envelope.ts';
import {
  ConnectionListResponseEnvelope,
  CreateSharedConnectionResponseEnvelope,
  SharedConnectionRequest,
} from './connection-schemas.ts';
import { connectionToWire } from './connection-wire.ts';

const PartnerParams = Type.Object({ org_id: Type.String(), connection_id: Type.String() });

export function sharedConnectionRoutes(context: AppContext, connections: ConnectionsService): RouteDefinition[] {
  const { repositories } = context;

  /** A connection in any organization of the caller's partner. */
  async function partnerConnection(
    caller: Caller,
    organizationId: string,
    connectionId: string,
  ): Promise<ConnectionRow> {
    const organization = await organizationInScope(repositories, caller, organizationId);
    const row = await repositories.connections.get(organization.id, connectionId);
    if (!row) throw notFound('connection');
    return row;
  }

  const copiesOf = async (parent: ConnectionRow) =>
    (await repositories.connections.listSharedCopies(parent.id)).map((copy) =>
      connectionToWire(copy, context.connectors.get(copy.type), {}),
    );

  return [
    {
      operationId: 'connections.createSharedConnection',
      method: 'POST',
      path: '/api/organizations/{org_id}/connections/{connection_id}/shared',
      summary: "Share a connection of one of the partner's organizations with a child organization (partner).",
      access: 'partner',
      params: PartnerParams,
      body: SharedConnectionRequest,
      response: CreateSharedConnectionResponseEnvelope,
      errors: [403, 404, 422, 500],
      handler: async ({ caller, params, body }) => {
        const parent = await partnerConnection(caller, params.org_id, params.connection_id);
        const copy = await connections.share(caller, parent, body.child_organization_id, body.name);
        return { data: { id: copy.id } };
      },
    },
    {
      operationId: 'connections.listSharedConnectionsForPartner',
      method: 'GET',
      path: '/api/organizations/{org_id}/connections/{connection_id}/shared',
      summary: 'The shared copies of a connection (partner).',
      access: 'partner',
      params: PartnerParams,
      response: ConnectionListResponseEnvelope,
      errors: [403, 404, 422, 500],
      handler: async ({ caller, params }) => ({
        data: await copiesOf(await partnerConnection(caller, params.org_id, params.connection_id)),
      }),
    },
    {
      operationId: 'connections.listSharedConnections',
      method: 'GET',
      path: '/api/connections/{id}/shared',
      summary: "The shared copies of one of the organization's connections.",
      access: 'organization',
      params: IdParams,
      response: ConnectionListResponseEnvelope,
      errors: [403, 404, 422, 500],
      handler: async ({ caller, params }) => ({
        data: await copiesOf(await connections.requireConnection(caller, params.id)),
      }),
    },
    {
      operationId: 'connections.share',
      method: 'POST',
      path: '/api/connections/{parent_connection_id}/share',
      summary: 'Share a connection with a child organization (partner; 2024-02-08 and older).',
      access: 'partner',
      params: Type.Object({ parent_connection_id: Type.String() }),
      body: SharedConnectionRequest,
      response: CreateSharedConnectionResponseEnvelope,
      errors: [403, 404, 422, 500],
      handler: async ({ caller, params, body }) => {
        const found = await repositories.connections.getAnywhere(params.parent_connection_id);
        if (!found) throw notFound('connection');
        const parent = await partnerConnection(caller, found.organization_id, found.id);
        const copy = await connections.share(caller, parent, body.child_organization_id, body.name);
        return { data: { id: copy.id } };
      },
    },
  ];
}
