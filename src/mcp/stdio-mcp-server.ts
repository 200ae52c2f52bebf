// `ferry mcp`: the MCP server on stdin and stdout, for a client that starts it as a subprocess. Its tools reach the
// Ferry at `url` over HTTP with the key, so it works against a remote Ferry as the sync commands do. stdout carries
// only the protocol.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { httpFerryApi } from './ferry-api.ts';
import { createFerryMcpServer } from './ferry-mcp-server.ts';

export async function runStdioMcpServer(options: { url: string; apiKey: string }): Promise<void> {
  const server = createFerryMcpServer(httpFerryApi(options));
  const transport = new StdioServerTransport();
  // The client ends the session by closing stdin; the process then has nothing left to do.
  process.stdin.once('end', () => void server.close());
  await server.connect(transport);
}
