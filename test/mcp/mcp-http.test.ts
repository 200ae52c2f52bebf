// /mcp, the streamable HTTP transport, driven by the MCP SDK's own client against a real server: refused without a
// key, the tools and their annotations, and a bulk sync between real SQLite files started, polled to completion
// and its console log read, all through tools that call the API with the caller's key (so idempotency holds too).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createSqliteSyncWorld, type SqliteSyncWorld } from '../ops/sqlite-sync-world.ts';
import { assertToolsAndAnnotations, callTool, callToolOk, waitThroughTool } from './mcp-kit.ts';

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
};

describe('MCP over streamable HTTP at /mcp', () => {
  let server: TestFerry;
  let world: SqliteSyncWorld;
  let client: Client;

  const connect = async (key: string | undefined) => {
    const mcp = new Client({ name: 'ferry-test', version: '1.0.0' });
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers } }));
    return mcp;
  };

  before(async () => {
    server = await startFerry('sqlite');
    world = await createSqliteSyncWorld(server, { users: 700, events: 40 });
    client = await connect(server.apiKey);
  });
  after(async () => {
    await client?.close();
    await server?.close();
    world?.remove();
  });

  test('without a key, or with an unknown or malformed one, /mcp is the API’s 401 and the SDK client cannot connect', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-a-key' },
      { authorization: 'Basic abc' },
    ];
    for (const headers of attempts) {
      const response = await call(server.url, 'POST', '/mcp', {
        body: initialize,
        headers: { accept: 'application/json, text/event-stream', ...headers },
      });
      assert.equal(response.status, 401, response.text);
      assert.equal(response.body.key, 'unauthorized');
    }
    await assert.rejects(connect(undefined));
    await assert.rejects(connect('not-a-key'));
    const get = await call(server.url, 'GET', '/mcp', { key: server.apiKey });
    assert.equal(get.status, 405);
  });

  test('lists every tool, reads marked read-only and writes marked as writes', async () => {
    await assertToolsAndAnnotations(client);
    assert.equal(client.getServerVersion()?.name, 'ferry');
  });

  test('start_bulk_sync, then get_execution until completed, then the console log; the rows arrived', async () => {
    const bulkSyncs = await callToolOk(client, 'list_bulk_syncs');
    assert.ok(bulkSyncs.some((sync: { id: string }) => sync.id === world.bulkSyncId));
    const entity = await callToolOk(client, 'get_entity', { id: world.bulkSyncId });
    assert.equal(entity.type, 'bulk_sync');

    const started = await callToolOk(client, 'start_bulk_sync', {
      bulk_sync_id: world.bulkSyncId,
      idempotency_key: 'mcp-http-start-1',
    });
    assert.ok(started.id);
    // The same key again is the API's replay of the first start, not a second execution.
    const again = await callToolOk(client, 'start_bulk_sync', {
      bulk_sync_id: world.bulkSyncId,
      idempotency_key: 'mcp-http-start-1',
    });
    assert.equal(again.id, started.id);

    const ended = await waitThroughTool(client, started.id);
    assert.equal(ended.execution.status, 'completed', JSON.stringify(ended));
    assert.equal(ended.kind, 'bulk_sync');
    assert.equal(ended.sync_id, world.bulkSyncId);

    const log = await callToolOk(client, 'get_execution_console_log', { execution_id: started.id });
    const messages: string[] = log.entries.map((entry: { message: string }) => entry.message);
    assert.ok(
      messages.some((message) => /^Completed: 740 rows/.test(message)),
      messages.join('\n'),
    );
    const executions = await callToolOk(client, 'list_executions', { sync_id: world.bulkSyncId });
    assert.equal(executions[0].id, started.id);

    const destination = new Database(world.destinationPath, { readonly: true });
    try {
      assert.equal((destination.prepare('select count(*) as n from users').get() as { n: number }).n, 700);
    } finally {
      destination.close();
    }
  });

  test('run_query runs SQL on a connection through the query runner and returns its rows', async () => {
    const connections = await callToolOk(client, 'list_connections');
    const source = connections.find((connection: { name: string }) => connection.name === 'Source');
    const result = await callToolOk(client, 'run_query', {
      connection_id: source.id,
      query: 'select count(*) as n, max(id) as top from users',
    });
    assert.equal(result.status, 'done', JSON.stringify(result));
    assert.deepEqual(result.results, [{ n: 700, top: 700 }]);
    const again = await callToolOk(client, 'get_query_results', { query_id: result.id });
    assert.deepEqual(again.results, result.results);
  });

  test('a Viewer’s key reads through the tools but may not start a sync: the API’s permission policy decides', async () => {
    const roles = await call(server.url, 'GET', '/api/permissions/roles', { key: server.apiKey });
    const viewer = roles.body.data.find((role: { name: string }) => role.name === 'Viewer');
    const user = await call(server.url, 'POST', `/api/organizations/${server.organizationId}/users`, {
      key: server.partnerKey,
      body: { email: 'viewer@mcp.example', role_ids: [viewer.id] },
    });
    assert.equal(user.status, 200, user.text);
    const key = await call(
      server.url,
      'POST',
      `/api/organizations/${server.organizationId}/users/${user.body.data.id}/keys`,
      { key: server.partnerKey },
    );
    const viewing = await connect(key.body.data.value);
    try {
      const seen = await callToolOk(viewing, 'get_bulk_sync', { id: world.bulkSyncId });
      assert.equal(seen.id, world.bulkSyncId);
      const refused = await callTool(viewing, 'start_bulk_sync', { bulk_sync_id: world.bulkSyncId });
      assert.equal(refused.isError, true);
      assert.match(refused.text, /^POST \/api\/bulk\/syncs\/\S+\/executions: .*\(HTTP 403\)$/);
    } finally {
      await viewing.close();
    }
  });

  test('an API error is the tool’s error, with the API’s message; nothing of another organization is visible', async () => {
    const missing = await callTool(client, 'get_sync', { id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /GET \/api\/syncs\/00000000-0000-4000-8000-000000000000: .*\(HTTP 404\)/);

    const organizationId = (
      await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Other tenant' } })
    ).body.data.id;
    const userId = (
      await call(server.url, 'POST', `/api/organizations/${organizationId}/users`, {
        key: server.partnerKey,
        body: { email: 'owner@other.example' },
      })
    ).body.data.id;
    const key = await call(server.url, 'POST', `/api/organizations/${organizationId}/users/${userId}/keys`, {
      key: server.partnerKey,
    });
    assert.equal(key.status, 200, key.text);
    const stranger = await connect(key.body.data.value);
    try {
      const seen = await callTool(stranger, 'get_bulk_sync', { id: world.bulkSyncId });
      assert.equal(seen.isError, true);
      assert.match(seen.text, /HTTP 404/);
    } finally {
      await stranger.close();
    }
  });
});
