// The metrics port (FERRY_METRICS_PORT): /metrics, /healthz and /readyz on a port of their own, so that the scrape
// can stay inside a private network while the API is public, and so that `ferry worker`, which has no API server,
// can be scraped and probed too. Plain node:http: three fixed GET routes need no framework.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FerryMetrics } from './ferry-metrics.ts';
import { readinessResponse, type Readiness } from './readiness.ts';

export interface OperationsServer {
  /** http://host:port of the listening server. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startOperationsServer(options: {
  port: number;
  host: string;
  metrics: FerryMetrics;
  readiness: Readiness;
}): Promise<OperationsServer> {
  const json = (status: number, body: unknown) => ({
    status,
    type: 'application/json; charset=utf-8',
    body: JSON.stringify(body),
  });
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, { status: 'method_not_allowed' });
      if (path === '/metrics') {
        const scraped = await options.metrics.scrape();
        return { status: 200, type: scraped.contentType, body: scraped.body };
      }
      if (path === '/healthz') return json(200, { status: 'ok' });
      if (path === '/readyz') {
        const { status, body } = readinessResponse(await options.readiness.check());
        return json(status, body);
      }
      return json(404, { status: 'not_found' });
    };
    answer().then(
      ({ status, type, body }) => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
