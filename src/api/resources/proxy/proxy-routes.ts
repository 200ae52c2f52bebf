// The connection proxy (2025-09-18): POST /api/connections/{id}/proxy and GET /api/connections/{id}/proxy/info. The
// proxy core (src/proxy) enforces the API's limits (src/proxy/proxy-limits.ts); this layer scopes the connection to the
// caller, unseals its configuration, and maps refusals to ApiError bodies with their stable keys.
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { ApiError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import type { ConnectionRow } from '../../../persistence/repositories/connections-repository.ts';
import type { ProxyConnection, ProxyResult } from '../../../proxy/connection-proxy.ts';
import { IdParams, Envelope } from '../envelope.ts';

const ConnectionProxyCall = Type.Object(
  {
    method: Type.String({ minLength: 1 }),
    path: Type.String({ minLength: 1 }),
    query: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    rawQuery: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.Unknown()),
  },
  { title: 'ConnectionProxyCall' },
);

const ExecuteConnectionProxyRequest = Type.Object(
  { request: ConnectionProxyCall },
  { title: 'ExecuteConnectionProxyRequest' },
);

const ConnectionProxyResponse = Type.Object(
  {
    body: Type.Optional(Type.Unknown()),
    contentType: Type.Optional(Type.String()),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    latencyMs: Type.Optional(Type.Number()),
    proxyCallId: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer()),
    truncated: Type.Optional(Type.Boolean()),
  },
  { title: 'ConnectionProxyResponse' },
);

const ConnectionProxyInfoResponse = Type.Record(Type.String(), Type.Unknown(), {
  title: 'ConnectionProxyInfoResponse',
});

/** The proxy itself checks bodies against the API's 256 KiB cap (400), so the route lets larger ones in. */
const proxyRouteBodyLimit = 8 * 1024 * 1024;

export function proxyRoutes(context: AppContext, connections: ConnectionsService): RouteDefinition[] {
  async function proxyConnection(row: ConnectionRow): Promise<ProxyConnection> {
    const connector = context.connectors.get(row.type);
    if (!connector || !(connector.capabilities as readonly string[]).includes('proxyUpstream')) {
      throw new ApiError(
        'proxy_configuration_invalid',
        `A ${row.type} connection cannot be used as a proxy upstream; only api connections can.`,
      );
    }
    return {
      connectionId: row.id,
      organizationId: row.organization_id,
      backendType: row.type,
      configuration: await connections.effectiveConfiguration(row),
    };
  }

  function unwrap<T>(result: ProxyResult<T>): T {
    if (result.ok) return result.value;
    const { error } = result;
    throw new ApiError(error.key, error.message, {
      metadata: { ...error.metadata, ...(result.proxyCallId ? { proxyCallId: result.proxyCallId } : {}) },
      headers: error.headers,
    });
  }

  return [
    {
      operationId: 'connections.executeProxy',
      method: 'POST',
      path: '/api/connections/{id}/proxy',
      summary:
        "Call the connection's upstream API with its stored credentials. The connection's base URL, auth headers and query parameters are attached and cannot be overridden. Limits: 30 s upstream timeout (504), 256 KiB request body (400), 1 MiB response body (cut, truncated: true), per-connection and per-organization rate limits (429 with Retry-After).",
      access: 'organization',
      params: IdParams,
      body: ExecuteConnectionProxyRequest,
      response: Envelope('ExecuteConnectionProxyEnvelope', ConnectionProxyResponse),
      bodyLimit: proxyRouteBodyLimit,
      errors: [400, 401, 403, 404, 429, 500, 502, 504],
      handler: async ({ caller, params, body }) => {
        const row = await connections.requireConnection(caller, params.id);
        return { data: unwrap(await context.proxy.execute(await proxyConnection(row), body.request)) };
      },
    },
    {
      operationId: 'connections.getProxyInfo',
      method: 'GET',
      path: '/api/connections/{id}/proxy/info',
      summary:
        "The connection's proxy contract (base URL, locked headers and query with secrets redacted, allowed methods, limits) and its 24-hour usage.",
      access: 'organization',
      params: IdParams,
      response: Envelope('GetConnectionProxyInfoEnvelope', ConnectionProxyInfoResponse),
      errors: [400, 401, 403, 404, 500],
      handler: async ({ caller, params }) => {
        const row = await connections.requireConnection(caller, params.id);
        return { data: unwrap(await context.proxy.info(await proxyConnection(row))) };
      },
    },
  ];
}
