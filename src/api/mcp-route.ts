// /mcp: the Model Context Protocol's streamable HTTP transport, for agents that reach Ferry over the network. It
// needs an API key (Authorization: Bearer, as every API call), and its tools call this server's own public API
// through Fastify's router with that same header, so auth, policy and idempotency are exactly a client's: no
// private way in. Stateless: each POST gets a fresh MCP server and transport, and answers with JSON (no session
// to keep between requests, so any process of a scaled-out installation can answer any request).
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type FerryApi, parseBody, requestHeaders } from '../mcp/ferry-api.ts';
import { createFerryMcpServer } from '../mcp/ferry-mcp-server.ts';
import type { Authenticator } from './auth/authenticate.ts';

const mcpPath = '/mcp';

/** The API as the caller sees it: requests injected into this server with the caller's own Authorization. */
function injectedApi(app: FastifyInstance, authorization: string): FerryApi {
  return async (request) => {
    const response = await app.inject({
      method: request.method,
      url: request.path,
      headers: requestHeaders(request, authorization),
      ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
    });
    return { status: response.statusCode, body: parseBody(response.body) };
  };
}

function webRequestOf(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return new Request(`http://${request.host}${request.url}`, { method: request.method, headers });
}

async function relay(response: Response, reply: FastifyReply): Promise<FastifyReply> {
  reply.code(response.status);
  response.headers.forEach((value, name) => void reply.header(name, value));
  return reply.send(await response.text());
}

export function registerMcpRoute(app: FastifyInstance, authenticator: Authenticator): void {
  app.post(mcpPath, async (request, reply) => {
    // A missing, malformed or revoked key is the API's 401, before any MCP message is read.
    await authenticator.authenticate(request.headers.authorization);
    const server = createFerryMcpServer(injectedApi(app, request.headers.authorization ?? ''));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await relay(await transport.handleRequest(webRequestOf(request), { parsedBody: request.body }), reply);
    } finally {
      await server.close();
    }
  });
  // Stateless: no server-sent event stream to open and no session to end.
  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: POST /mcp only.' }, id: null });
  app.get(mcpPath, notAllowed);
  app.delete(mcpPath, notAllowed);
}
