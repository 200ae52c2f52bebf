// The API's share of the metrics: every request's duration by route template and status, and, unless the metrics
// have a port of their own (FERRY_METRICS_PORT), GET /metrics on the API port. /metrics is outside the API's
// auth (Prometheus scrapes without a key) and exposes no tenant data: its labels are kinds, tasks and route templates.
import type { FastifyInstance } from 'fastify';
import type { FerryMetrics } from '../metrics/ferry-metrics.ts';

/** The label of requests that matched no route, so that random URLs cannot each make a series. */
const unmatchedRoute = 'unmatched';

export function registerMetricsRoutes(
  app: FastifyInstance,
  metrics: FerryMetrics,
  options: { serveOnApiPort: boolean },
): void {
  // Callback style: no promise per request on this path.
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttpRequest(
      request.method,
      request.routeOptions.url ?? unmatchedRoute,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  if (!options.serveOnApiPort) return;
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
}
