// An MCP server whose tools drive one Ferry through its public API (ferry-tools.ts). The transport is the caller's:
// stdio for `ferry mcp`, streamable HTTP for the server's /mcp route.
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FerryApi } from './ferry-api.ts';
import { ferryTools, ToolFailure } from './ferry-tools.ts';

const instructions =
  'Ferry is a self-hosted data-sync server: bulk syncs copy tables into a destination (ELT), model syncs push the ' +
  'rows of a SQL model into a target (reverse ETL). Find a sync with list_syncs or list_bulk_syncs, start it with ' +
  'start_sync or start_bulk_sync, then poll get_execution until its status is completed, failed or canceled, and ' +
  'read get_execution_console_log. get_entity tells what any id is.';

/** Ferry's version, as the server tells the client in the handshake. */
const ferryVersion = String(
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version,
);

function resultOf(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value ?? null, null, 2) }] };
}

function failureOf(error: unknown): CallToolResult {
  const message = error instanceof ToolFailure || error instanceof Error ? error.message : String(error);
  return { isError: true, content: [{ type: 'text', text: message }] };
}

export function createFerryMcpServer(api: FerryApi): McpServer {
  const server = new McpServer({ name: 'ferry', title: 'Ferry', version: ferryVersion }, { instructions });
  for (const tool of ferryTools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (input: Record<string, unknown>) => tool.run(api, input).then(resultOf, failureOf),
    );
  }
  return server;
}
