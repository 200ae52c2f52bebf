// GET /healthz (the process answers) and GET /readyz (it can do its work: src/metrics/readiness.ts). Outside the
// versioned API's endpoints: no key, no tenant data.
import type { FastifyInstance } from 'fastify';
import { readinessResponse, type Readiness } from '../metrics/readiness.ts';

export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { status, body } = readinessResponse(await readiness.check());
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
}
