// Server child: the baseline. A bare Fastify 5 app (default options, no logger, no hooks, no auth, no database)
// whose routes send a fixed JSON text, the same bytes Ferry answered for the route it stands in for.
// BARE_ROUTES_FILE names a JSON file { "<fastify path>": "<response body>" } (a file, because a 1,000-connection list
// is larger than the environment may be).
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { serveInChild } from '../lib/server-child.ts';

await serveInChild<Record<string, never>>(async () => {
  const routes = JSON.parse(readFileSync(process.env.BARE_ROUTES_FILE!, 'utf8')) as Record<string, string>;
  const app = Fastify();
  for (const [path, body] of Object.entries(routes)) {
    app.get(path, async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  }
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, details: {}, close: () => app.close() };
});
