// `ferry mcp`, the stdio transport, as an MCP client runs it: the SDK's client spawns the bin, which reaches a real
// server over HTTP with FERRY_API_KEY. A model sync between real SQLite files is started through the tool, polled to
// completion and its console log read; closing the client ends the process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createSqliteSyncWorld, type SqliteSyncWorld } from '../ops/sqlite-sync-world.ts';
import { runCli } from '../ops/cli-kit.ts';
import { assertToolsAndAnnotations, callTool, callToolOk, waitThroughTool } from './mcp-kit.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ferry mcp over stdio', () => {
  let server: TestFerry;
  let world: SqliteSyncWorld;
  let client: Client;
  let transport: StdioClientTransport;

  before(async () => {
    server = await startFerry('sqlite');
    world = await createSqliteSyncWorld(server, { users: 600, events: 10 });
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [ferryBin, 'mcp', '--url', server.url],
      env: { ...(process.env as Record<string, string>), FERRY_API_KEY: server.apiKey },
      stderr: 'pipe',
    });
    client = new Client({ name: 'ferry-test', version: '1.0.0' });
    await client.connect(transport);
  });
  after(async () => {
    await client?.close();
    await server?.close();
    world?.remove();
  });

  test('lists the same tools with the same annotations', async () => {
    await assertToolsAndAnnotations(client);
  });

  test('start_sync, then get_execution until completed, then the console log; the target has every row', async () => {
    const syncs = await callToolOk(client, 'list_syncs');
    assert.deepEqual(
      syncs.map((sync: { id: string }) => sync.id),
      [world.modelSyncId],
    );
    const started = await callToolOk(client, 'start_sync', { sync_id: world.modelSyncId });
    const ended = await waitThroughTool(client, started.id);
    assert.equal(ended.execution.status, 'completed', JSON.stringify(ended));
    assert.equal(ended.kind, 'sync');

    const log = await callToolOk(client, 'get_execution_console_log', { execution_id: started.id, limit: 50 });
    const completed = log.entries.find((entry: { message: string }) => entry.message === 'Model sync completed');
    assert.equal(completed?.payload?.insert, 600, JSON.stringify(log.entries));
    const target = new Database(world.targetPath, { readonly: true });
    try {
      assert.equal((target.prepare('select count(*) as n from contacts').get() as { n: number }).n, 600);
    } finally {
      target.close();
    }

    const cancel = await callTool(client, 'cancel_execution', { execution_id: started.id });
    assert.equal(cancel.isError, true, 'an execution that has ended cannot be canceled');
    assert.match(cancel.text, /HTTP 4\d\d/);
  });

  test('closing the client ends the ferry mcp process', async () => {
    const pid = transport.pid;
    assert.ok(pid && isRunning(pid));
    await client.close();
    const deadline = Date.now() + 10_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(isRunning(pid), false);
  });

  test('without a key, ferry mcp says what to set and exits 1', async () => {
    const run = await runCli(['mcp', '--url', server.url], { FERRY_API_KEY: '' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /set FERRY_API_KEY or pass --api-key/);
  });
});
