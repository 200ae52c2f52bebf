// Connections: CRUD, test, and parameter values.
import type { AppContext } from '../../../app-context.ts';
import { ApiError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import { actingOrganizationId } from '../../../services/acting-organization.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import type { ChangeStreamsService } from '../../../services/change-streams-service.ts';
import type { ConnectionRow } from '../../../persistence/repositories/connections-repository.ts';
import { IdParams } from '../envelope.ts';
import { StoredRows, type WireSource } from '../../stored-rows.ts';
import {
  ConnectionListResponseEnvelope,
  ConnectionResponseEnvelope,
  CreateConnectionRequest,
  CreateConnectionResponseEnvelope,
  DeleteConnectionQuery,
  ParameterValuesEnvelope,
  TestConnectionRequest,
  TestConnectionResponseEnvelope,
  UpdateConnectionRequest,
} from './connection-schemas.ts';
import { connectionToWire, createdConnectionToWire } from './connection-wire.ts';

export function connectionRoutes(
  context: AppContext,
  connections: ConnectionsService,
  changeStreams: Pick<ChangeStreamsService, 'connectionChanged' | 'connectionDeleting'>,
): RouteDefinition[] {
  const { repositories } = context;

  const dayMs = 24 * 60 * 60 * 1000;

  /** Only connections that can be a proxy upstream have proxy calls to count. */
  function proxied(row: Pick<ConnectionRow, 'type'>): boolean {
    return context.connectors.get(row.type)?.capabilities.includes('proxyUpstream') ?? false;
  }

  /**
   * A connection's wire object is built from its row (the redaction from the row's ciphertext, the type summary from
   * the process's connectors) and its proxy calls of the last 24 h, counted on every read.
   */
  const wireSource: WireSource<{ row: ConnectionRow; calls: number }> = {
    shape: 'connection',
    id: ({ row }) => row.id,
    stamp: ({ row, calls }) => [row.revision, calls],
    toWire: ({ row, calls }) =>
      connectionToWire(row, context.connectors.get(row.type), connections.redactedConfiguration(row), calls),
  };

  /** Its proxy calls of the last 24 h (none for a type that is not a proxy upstream). */
  async function callsOf(connection: Pick<ConnectionRow, 'id' | 'type'>): Promise<number> {
    if (!proxied(connection)) return 0;
    return (await repositories.proxyCalls.countSince(connection.id, new Date(context.clock.nowMs() - dayMs))).calls;
  }

  /**
   * A list costs what its changed rows cost: one query for the ids and revisions, one for their proxy calls, and the
   * whole rows of those whose JSON is not kept at that revision and count (redactions from memory).
   */
  async function connectionList(organizationId: string) {
    const revisions = await repositories.connections.listRevisions(organizationId);
    const ids = revisions.filter(proxied).map((row) => row.id);
    const calls =
      ids.length > 0
        ? await repositories.proxyCalls.callsSince(ids, new Date(context.clock.nowMs() - dayMs))
        : undefined;
    const callsOf = (id: string) => calls?.get(id) ?? 0;
    return StoredRows.stamped(
      wireSource,
      revisions.map(({ id, revision }) => ({ id, stamp: [revision, callsOf(id)] })),
      async (wanted) =>
        (await repositories.connections.byIds(organizationId, wanted)).map((row) => ({ row, calls: callsOf(row.id) })),
    );
  }

  return [
    {
      operationId: 'connections.list',
      method: 'GET',
      path: '/api/connections',
      summary: "The organization's connections, oldest first. Secret settings are never returned.",
      access: 'organization',
      response: ConnectionListResponseEnvelope,
      errors: [500],
      handler: ({ caller }) => connectionList(caller.organizationId),
    },
    {
      operationId: 'connections.create',
      method: 'POST',
      path: '/api/connections',
      summary: 'Create a connection. It is tested on the way in; with validate=true a failed test refuses it (422).',
      access: 'organization',
      body: CreateConnectionRequest,
      response: CreateConnectionResponseEnvelope,
      errors: [400, 401, 403, 422, 500],
      handler: async ({ caller, body }) => {
        const organizationId = await actingOrganizationId(repositories, caller, body.organization_id);
        const row = await connections.create(caller, organizationId, body);
        return {
          data: createdConnectionToWire(row, context.connectors.get(row.type), connections.redactedConfiguration(row)),
        };
      },
    },
    {
      operationId: 'connections.get',
      method: 'GET',
      path: '/api/connections/{id}',
      summary: 'A connection, with its secret settings left out.',
      access: 'organization',
      params: IdParams,
      response: ConnectionResponseEnvelope,
      errors: [404, 500],
      // The revision and the calls first: the whole row is read only when the JSON kept for this version is not at
      // that revision and count.
      handler: async ({ caller, params }) => {
        const light = await connections.requireConnectionRevision(caller, params.id);
        const calls = await callsOf(light);
        return StoredRows.one(wireSource, { id: light.id, stamp: [light.revision, calls] }, async () => ({
          row: await connections.requireConnection(caller, light.id),
          calls,
        }));
      },
    },
    {
      operationId: 'connections.update',
      method: 'PUT',
      path: '/api/connections/{id}',
      summary:
        "Replace a connection's name and configuration. Secret settings left out of `configuration` keep their stored values.",
      access: 'organization',
      params: IdParams,
      body: UpdateConnectionRequest,
      response: CreateConnectionResponseEnvelope,
      errors: [400, 401, 403, 404, 422, 500],
      // Secret settings are left out: the update keeps the stored ones, and restores masked URL parts.
      currentBody: async ({ caller, params }) => {
        const row = await connections.requireConnection(caller, params.id);
        return {
          name: row.name,
          configuration: connections.redactedConfiguration(row),
          policies: JSON.parse(row.policies) as string[],
          ...(row.healthcheck_interval ? { healthcheck_interval: row.healthcheck_interval } : {}),
        };
      },
      handler: async ({ caller, params, body }) => {
        const row = await connections.update(caller, params.id, body);
        // Change capture switched off: the syncs' streams on this source are dropped now (the sweep retries).
        await changeStreams
          .connectionChanged(row.id)
          .catch((error: unknown) => context.log.warn({ err: error }, 'change stream: reconcile failed'));
        return {
          data: createdConnectionToWire(row, context.connectors.get(row.type), connections.redactedConfiguration(row)),
        };
      },
    },
    {
      operationId: 'connections.remove',
      method: 'DELETE',
      path: '/api/connections/{id}',
      summary: 'Delete a connection and its shared copies.',
      access: 'organization',
      params: IdParams,
      query: DeleteConnectionQuery,
      errors: [401, 403, 404, 422, 500],
      handler: async ({ caller, params }) => {
        await connections.requireConnection(caller, params.id);
        // Its syncs' change streams (replication slots) are dropped while the connection can still reach them.
        await changeStreams.connectionDeleting(params.id);
        await connections.delete(caller, params.id);
        return undefined;
      },
    },
    {
      operationId: 'connections.testConnection',
      method: 'POST',
      path: '/api/connections/test',
      summary:
        'Test a configuration without saving it. With connection_id, secret settings left out are taken from that connection. A failure is a 400 whose message says why in plain words and whose metadata.reason is a stable code.',
      access: 'organization',
      body: TestConnectionRequest,
      response: TestConnectionResponseEnvelope,
      errors: [400, 401, 404, 500],
      handler: async ({ caller, body }) => {
        const existing = body.connection_id
          ? await connections.requireConnection(caller, body.connection_id)
          : undefined;
        const result = await connections.test(body.type, body.configuration, existing);
        if (!result.ok)
          throw new ApiError('connection_test_failed', `Connection test failed: ${result.message}`, {
            metadata: { reason: result.code },
          });
        return { data: { status: 'healthy' } };
      },
    },
    {
      operationId: 'connections.getParameterValues',
      method: 'GET',
      path: '/api/connections/{id}/parameter_values',
      summary:
        "Values a configuration field of this connection can take. Ferry's connectors have free-form fields, so the lists are empty.",
      access: 'organization',
      params: IdParams,
      response: ParameterValuesEnvelope,
      errors: [404, 500],
      handler: async ({ caller, params }) => {
        await connections.requireConnection(caller, params.id);
        return { data: {} };
      },
    },
  ];
}
