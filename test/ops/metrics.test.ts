// GET /metrics scraped from a real server after a real bulk sync and a real model sync ran, parsed with a
// Prometheus text-format parser, and its figures compared with what the runs did.
import type { ReadBack } from '../kit/read-back.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { createSqliteSyncWorld, runToEnd, type SqliteSyncWorld } from './sqlite-sync-world.ts';

interface Scrape {
  /** Every family as the parser reads it (name, type, help). */
  families: ReturnType<typeof parsePrometheusTextFormat>;
  /**
   * Every series line, histograms' _bucket, _sum and _count included. The parser folds a histogram's series into one
   * sample and drops its labels when it has any besides `le`, so the histograms are also read with their TYPE line
   * taken out, which makes the parser keep each line as it is (still parsed strictly: a bad line throws).
   */
  series: Array<{ name: string; labels: Record<string, string>; value: number }>;
  contentType: string | null;
}

async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  const families = parsePrometheusTextFormat(text);
  const series = parsePrometheusTextFormat(text.replace(/^# TYPE \S+ histogram\n/gm, '')).flatMap((item) =>
    item.metrics.map((metric) => ({ name: item.name, labels: metric.labels ?? {}, value: Number(metric.value) })),
  );
  return { families, series, contentType: response.headers.get('content-type') };
}

function family(scraped: Scrape, name: string) {
  const found = scraped.families.find((item) => item.name === name);
  assert.ok(found, `${name} is exported`);
  return found;
}

/** The value of the one series named `name` whose labels include `labels`. */
function value(scraped: Scrape, name: string, labels: Record<string, string> = {}): number {
  const matches = scraped.series.filter(
    (item) => item.name === name && Object.entries(labels).every(([key, wanted]) => item.labels[key] === wanted),
  );
  assert.equal(matches.length, 1, `${name}${JSON.stringify(labels)}: ${JSON.stringify(matches)}`);
  return matches[0]!.value;
}

function seriesOf(scraped: Scrape, name: string) {
  return scraped.series.filter((item) => item.name === name);
}

describe('GET /metrics', () => {
  let server: TestFerry;
  let world: SqliteSyncWorld;
  let bulk: ReadBack;
  let model: ReadBack;
  let failed: ReadBack;

  before(async () => {
    server = await startFerry('sqlite');
    world = await createSqliteSyncWorld(server, { users: 1200, events: 300 });
    bulk = await runToEnd(server, 'bulk', world.bulkSyncId);
    model = await runToEnd(server, 'model', world.modelSyncId);
    failed = await runToEnd(server, 'bulk', world.failingBulkSyncId);
  });
  after(async () => {
    await server?.close();
    world?.remove();
  });

  test('rows read and written, execution durations by outcome and running executions match the runs', async () => {
    assert.equal(bulk.status, 'completed', JSON.stringify(bulk));
    assert.equal(bulk.record_count, 1500);
    assert.equal(model.status, 'completed', JSON.stringify(model));
    assert.equal(model.counts.insert, 1200);
    assert.equal(failed.status, 'failed', JSON.stringify(failed));

    const scraped = await scrape(server.url);
    assert.match(scraped.contentType ?? '', /^text\/plain; version=0\.0\.4/);
    assert.equal(value(scraped, 'ferry_rows_read_total', { kind: 'bulk' }), 1500);
    assert.equal(value(scraped, 'ferry_rows_written_total', { kind: 'bulk' }), 1500);
    assert.equal(value(scraped, 'ferry_rows_read_total', { kind: 'model' }), 1200);
    assert.equal(value(scraped, 'ferry_rows_written_total', { kind: 'model' }), 1200);
    assert.equal(family(scraped, 'ferry_rows_read_total').type, 'COUNTER');

    assert.equal(family(scraped, 'ferry_execution_duration_seconds').type, 'HISTOGRAM');
    const count = (kind: string, outcome: string) =>
      value(scraped, 'ferry_execution_duration_seconds_count', { kind, outcome });
    assert.deepEqual([count('bulk', 'completed'), count('bulk', 'failed'), count('model', 'completed')], [1, 1, 1]);
    const seconds = value(scraped, 'ferry_execution_duration_seconds_sum', { kind: 'bulk', outcome: 'completed' });
    const recorded = (Date.parse(bulk.completed_at) - Date.parse(bulk.started_at)) / 1000;
    assert.ok(seconds >= 0 && Math.abs(seconds - recorded) < 1, `${seconds} s against the row's ${recorded} s`);

    assert.equal(family(scraped, 'ferry_executions_running').type, 'GAUGE');
    assert.equal(value(scraped, 'ferry_executions_running', { kind: 'bulk' }), 0);
    assert.equal(value(scraped, 'ferry_executions_running', { kind: 'model' }), 0);
  });

  test('queue depth is read from the database on scrape, per task and state', async () => {
    const before = await scrape(server.url);
    assert.equal(family(before, 'ferry_queue_jobs').type, 'GAUGE');
    // Finished jobs are deleted: nothing waits.
    const waiting = seriesOf(before, 'ferry_queue_jobs').filter((item) => item.labels.state === 'pending');
    assert.deepEqual(waiting, []);

    // Enqueue a job no worker of this process has a handler for: it waits, and the scrape counts it.
    const { ferry } = server;
    await ferry.context.database.db.transaction().execute((transaction) =>
      ferry.context.queue.enqueue(transaction, {
        task: 'metrics-test-task',
        payload: { version: 1 },
        runAt: new Date(Date.now() + 3_600_000),
      }),
    );
    const after = await scrape(server.url);
    assert.equal(value(after, 'ferry_queue_jobs', { task: 'metrics-test-task', state: 'pending' }), 1);
    assert.equal(value(after, 'ferry_queue_depth_read_failures_total'), 0);
  });

  test('HTTP durations are labelled by route template and status, never by a URL with ids in it', async () => {
    await call(server.url, 'GET', `/api/bulk/syncs/${world.bulkSyncId}`, { key: server.apiKey });
    await call(server.url, 'GET', '/api/bulk/syncs/00000000-0000-4000-8000-000000000000', { key: server.apiKey });
    await call(server.url, 'GET', '/no/such/route');
    const scraped = await scrape(server.url);
    assert.equal(family(scraped, 'ferry_http_request_duration_seconds').type, 'HISTOGRAM');
    const counts = seriesOf(scraped, 'ferry_http_request_duration_seconds_count');
    const routes = counts.map((item) => item.labels.route ?? '');
    assert.ok(!routes.some((route) => route.includes(world.bulkSyncId) || route.includes('00000000')), routes.join());
    const syncRoute = counts.filter((item) => /^\/api\/bulk\/syncs\/:[a-z0-9]+$/.test(item.labels.route ?? ''));
    assert.deepEqual(syncRoute.map((item) => [item.labels.method, item.labels.status, item.value]).sort(), [
      ['GET', '200', 1],
      ['GET', '404', 1],
    ]);
    assert.equal(value(scraped, 'ferry_http_request_duration_seconds_count', { route: 'unmatched', status: '404' }), 1);
  });

  test('the scheduler delay histogram takes what the scheduler observes, and the process defaults are there', async () => {
    server.ferry.context.metrics.observeSchedulerDelay(0.2, 'bulk');
    server.ferry.context.metrics.observeSchedulerDelay(3, 'bulk');
    const scraped = await scrape(server.url);
    assert.equal(family(scraped, 'ferry_scheduler_delay_seconds').type, 'HISTOGRAM');
    assert.equal(value(scraped, 'ferry_scheduler_delay_seconds_count', { kind: 'bulk' }), 2);
    assert.equal(value(scraped, 'ferry_scheduler_delay_seconds_bucket', { kind: 'bulk', le: '0.1' }), 0);
    assert.equal(value(scraped, 'ferry_scheduler_delay_seconds_bucket', { kind: 'bulk', le: '0.25' }), 1);
    assert.equal(value(scraped, 'ferry_scheduler_delay_seconds_bucket', { kind: 'bulk', le: '5' }), 2);
    assert.ok(value(scraped, 'process_resident_memory_bytes') > 0);
    family(scraped, 'nodejs_eventloop_lag_seconds');
  });

  test('/metrics needs no key, and /healthz and /readyz answer without one', async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 200);
    const health = await call(server.url, 'GET', '/healthz');
    assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);
    const ready = await call(server.url, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.body, {
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, worker: { ok: true } },
    });
  });
});

describe('metrics on a port of their own', () => {
  test('FERRY_METRICS_PORT serves /metrics, /healthz and /readyz there, and not on the API port', async () => {
    const server = await startFerry('sqlite', { FERRY_METRICS_PORT: '0' });
    try {
      const metricsUrl = await server.ferry.listenMetrics();
      assert.ok(metricsUrl);
      assert.notEqual(new URL(metricsUrl).port, new URL(server.url).port);
      family(await scrape(metricsUrl), 'ferry_rows_read_total');
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
      assert.equal((await fetch(`${metricsUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${metricsUrl}/readyz`)).status, 200);
    } finally {
      await server.close();
    }
  });

  test('FERRY_METRICS=false serves no /metrics', async () => {
    const server = await startFerry('sqlite', { FERRY_METRICS: 'false' });
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.close();
    }
  });
});

describe('queue depth on PostgreSQL (graphile-worker)', { skip: await postgresUnavailable() }, () => {
  test('a job waiting in the shared queue is counted on scrape, by task and state', async () => {
    const server = await startFerry('postgres');
    try {
      const { context } = server.ferry;
      assert.equal(context.queue.kind, 'graphile');
      await context.database.db.transaction().execute((transaction) =>
        context.queue.enqueue(transaction, {
          task: 'metrics-test-task',
          payload: { version: 1 },
          runAt: new Date(Date.now() + 3_600_000),
        }),
      );
      const scraped = await scrape(server.url);
      assert.equal(value(scraped, 'ferry_queue_jobs', { task: 'metrics-test-task', state: 'pending' }), 1);
      assert.equal(value(scraped, 'ferry_queue_depth_read_failures_total'), 0);
    } finally {
      await server.close();
    }
  });
});
