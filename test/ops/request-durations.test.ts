// The request-duration histogram Ferry keeps itself must scrape exactly as prom-client's own histogram would for the
// same observations: dashboards and alerts written against either must not tell them apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Registry } from 'prom-client';
import { createRequestDurations } from '../../src/metrics/request-durations.ts';

const bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const observations: Array<[string, string, number, number]> = [
  ['GET', '/api/bulk/syncs/:id', 200, 0.0004],
  ['GET', '/api/bulk/syncs/:id', 200, 0.001],
  ['GET', '/api/bulk/syncs/:id', 200, 0.0031],
  ['GET', '/api/bulk/syncs/:id', 404, 0.02],
  ['POST', '/api/syncs', 201, 12.5],
  ['GET', 'unmatched', 404, 0.25],
  ['GET', '/odd "route" \\ with\nnewline', 200, 0.7],
];

test('renders the histogram as prom-client does: cumulative buckets with le first, +Inf, sum and count', async () => {
  const registry = new Registry();
  const reference = new Histogram({
    name: 'ferry_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: bounds,
    registers: [registry],
  });
  const ours = createRequestDurations(
    'ferry_http_request_duration_seconds',
    'HTTP request duration by method, route template and status',
    bounds,
  );
  for (const [method, route, status, seconds] of observations) {
    reference.observe({ method, route, status: String(status) }, seconds);
    ours.observe(method, route, status, seconds);
  }
  assert.equal(`${ours.text()}\n`, await registry.metrics());
});

test('an empty histogram is its HELP and TYPE lines only', () => {
  const ours = createRequestDurations('x_seconds', 'X', bounds);
  assert.equal(ours.text(), '# HELP x_seconds X\n# TYPE x_seconds histogram');
});
