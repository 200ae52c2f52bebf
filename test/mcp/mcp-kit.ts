// What the MCP tests share: a client of the SDK itself, and the tool calls they make through it, read back as JSON.
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ReadBack } from '../kit/read-back.ts';

const expectedTools = {
  read: [
    'list_connections',
    'get_connection',
    'list_models',
    'get_model',
    'list_syncs',
    'get_sync',
    'list_bulk_syncs',
    'get_bulk_sync',
    'list_executions',
    'get_execution',
    'get_execution_console_log',
    'get_query_results',
    'get_entity',
  ],
  /** Writes that may overwrite or remove data: the syncs write their targets, and SQL runs as written. */
  destructive: ['start_sync', 'start_bulk_sync', 'run_query'],
  /** Writes that remove nothing. */
  write: ['cancel_execution'],
};

export interface ToolAnswer {
  isError: boolean;
  text: string;
  json: ReadBack;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text?: string }>;
  const text = content.map((part) => part.text ?? '').join('');
  let json: ReadBack;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { isError: result.isError === true, text, json };
}

/** The tool's JSON answer, failing the test with the tool's message when it reported an error. */
export async function callToolOk(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ReadBack> {
  const answer = await callTool(client, name, args);
  assert.equal(answer.isError, false, `${name}: ${answer.text}`);
  return answer.json;
}

const terminal = ['completed', 'failed', 'canceled', 'interrupted'];

/** Polls get_execution through the client until the execution ends. */
export async function waitThroughTool(client: Client, executionId: string, timeoutMs = 60_000): Promise<ReadBack> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await callToolOk(client, 'get_execution', { execution_id: executionId });
    if (terminal.includes(answer.execution.status)) return answer;
    if (Date.now() > deadline) throw new Error(`execution still ${answer.execution.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every tool the server lists, checked against the expected names and annotations. */
export async function assertToolsAndAnnotations(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  assert.deepEqual(
    [...byName.keys()].sort(),
    [...expectedTools.read, ...expectedTools.destructive, ...expectedTools.write].sort(),
  );
  for (const name of expectedTools.read) {
    assert.equal(byName.get(name)?.annotations?.readOnlyHint, true, name);
  }
  for (const name of expectedTools.destructive) {
    assert.equal(byName.get(name)?.annotations?.readOnlyHint, false, name);
    assert.equal(byName.get(name)?.annotations?.destructiveHint, true, name);
  }
  for (const name of expectedTools.write) {
    assert.equal(byName.get(name)?.annotations?.readOnlyHint, false, name);
    assert.equal(byName.get(name)?.annotations?.destructiveHint, false, name);
  }
  for (const tool of tools) assert.ok(tool.description && tool.inputSchema.type === 'object', tool.name);
}
