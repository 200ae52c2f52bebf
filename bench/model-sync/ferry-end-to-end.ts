// The model sync as a user waits for it: a real `ferry serve` in its own process (embedded SQLite metadata, state
// and queue, in-process worker), two PostgreSQL connections, a query model and an updateOrCreate sync created through
// the API; each run POSTed and polled until it is completed. Run 1 backfills, `change()` alters 1% of the rows, run 2
// sends them (warm state cache); then the server restarts on the same data directory and run 3 follows another
// change (cold state cache). The breakdown of each run comes from the execution's timestamps and the phases the
// engine reports on its `Model sync completed` console line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, between, type BenchConnection, forkBenchServer } from '../bulk/ferry-end-to-end.ts';
import { cpuSecondsOf } from '../lib/process-cpu.ts';
import type { ServerChild } from '../lib/server-child.ts';

interface ConsoleEntry {
  message: string;
  timestamp: string;
  payload?: { phases_ms?: Record<string, number> };
}

interface ExecutionWire {
  id: string;
  status: string;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  counts?: Record<string, number>;
}

export interface EndToEndRun {
  seconds: number;
  /** CPU seconds the server process used from the POST to the poll that saw the run end (undefined off Linux). */
  serverCpuSeconds: number | undefined;
  /**
   * The run's window on the monotonic clock, in µs (process.hrtime, the clock of a V8 CPU profile's timestamps): cuts a
   * server child's whole-life profile down to one run.
   */
  window: { fromUs: number; toUs: number };
  counts: Record<string, number>;
  /** Milliseconds by phase, from the POST to the poll that saw the execution completed. */
  phases: Array<{ name: string; milliseconds: number }>;
}

export interface ModelSyncEndToEnd {
  first: EndToEndRun;
  second: EndToEndRun;
  /** The first run after a restart: nothing of the state in memory. */
  afterRestart: EndToEndRun;
  peakRss: number | undefined;
}

function startServer(dataDir: string, restart: boolean): Promise<ServerChild<unknown>> {
  return forkBenchServer(dataDir, restart ? { BENCH_RESTART: '1' } : {});
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function runOnce(server: ServerChild<unknown>, syncId: string): Promise<EndToEndRun> {
  const { url } = server;
  const cpuBefore = cpuSecondsOf(server.pid);
  const fromUs = monotonicUs();
  const posted = performance.now();
  const postedAt = Date.now();
  const execution = await api(url, 'POST', `/api/syncs/${syncId}/executions`, {});
  let finished: ExecutionWire;
  for (;;) {
    finished = await api<ExecutionWire>(url, 'GET', `/api/syncs/${syncId}/executions/${execution.id}`);
    if (['completed', 'failed', 'canceled'].includes(finished.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const seconds = (performance.now() - posted) / 1000;
  const toUs = monotonicUs();
  const cpuAfter = cpuSecondsOf(server.pid);
  const seenAt = Date.now();
  if (finished.status !== 'completed') throw new Error(`the execution ${finished.status}: ${JSON.stringify(finished)}`);
  const page = await api<{ entries?: ConsoleEntry[] }>(
    url,
    'GET',
    `/api/syncs/${syncId}/executions/${execution.id}/consolelog?limit=50`,
  );
  const entries = page.entries ?? [];
  const started = entries.find((entry) => entry.message.startsWith('Model sync started'))?.timestamp;
  const completed = entries.find((entry) => entry.message === 'Model sync completed');
  const engine = Object.entries(completed?.payload?.phases_ms ?? {}).map(([name, milliseconds]) => ({
    name: `  engine: ${name}`,
    milliseconds,
  }));
  const engineMs = between(started, completed?.timestamp);
  // The deliveries' phases overlap the run's own (src/engine/model-sync/run-phases.ts): not part of the sum.
  const overlapping = new Set(['  engine: write', '  engine: delivery_commit']);
  const accounted = engine
    .filter((phase) => !overlapping.has(phase.name))
    .reduce((sum, phase) => sum + phase.milliseconds, 0);
  return {
    seconds,
    serverCpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    window: { fromUs, toUs },
    counts: finished.counts ?? {},
    phases: [
      { name: 'POST → execution created', milliseconds: between(postedAt, finished.created_at) },
      { name: 'queue pickup (created → started)', milliseconds: between(finished.created_at, finished.started_at) },
      { name: 'task set-up (started → engine start)', milliseconds: between(finished.started_at, started) },
      { name: 'engine (start → completed line)', milliseconds: engineMs },
      ...engine,
      { name: '  engine: plan check and the rest', milliseconds: engineMs - accounted },
      {
        name: 'completion (completed line → completed)',
        milliseconds: between(completed?.timestamp, finished.completed_at),
      },
      { name: 'completed → seen by the poll', milliseconds: between(finished.completed_at, seenAt) },
    ],
  };
}

/**
 * Syncs the model `query` on `source` into `public.contacts` (email primary key, full_name, tier, seats) on `target`
 * through a fresh server; `change(n)` alters 1% of the model's rows before run n (2 and 3).
 */
export async function modelSyncThroughServer(
  source: BenchConnection,
  target: BenchConnection,
  query: string,
  change: (run: number) => Promise<void>,
): Promise<ModelSyncEndToEnd> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-model-e2e-'));
  let server = await startServer(dataDir, false);
  let peakRss: number | undefined;
  try {
    const sourceId = (await api(server.url, 'POST', '/api/connections', { name: 'Bench model source', ...source })).id;
    const targetId = (await api(server.url, 'POST', '/api/connections', { name: 'Bench target', ...target })).id;
    const model = await api(server.url, 'POST', '/api/models', {
      name: 'People',
      connection_id: sourceId,
      configuration: { query },
    });
    const field = (name: string) => ({ field: name, model_id: model.id });
    const sync = await api(server.url, 'POST', '/api/syncs', {
      name: 'Bench people → contacts',
      mode: 'updateOrCreate',
      active: true,
      schedule: { frequency: 'manual' },
      target: { connection_id: targetId, object: 'public.contacts' },
      identity: { source: field('email'), target: 'email', function: 'Equality' },
      fields: [
        { source: field('name'), target: 'full_name' },
        { source: field('plan'), target: 'tier' },
        { source: field('seats'), target: 'seats' },
      ],
    });
    const first = await runOnce(server, sync.id);
    await change(2);
    const second = await runOnce(server, sync.id);
    peakRss = await server.stop();
    server = await startServer(dataDir, true);
    await change(3);
    const afterRestart = await runOnce(server, sync.id);
    const peak = await server.stop();
    return { first, second, afterRestart, peakRss: Math.max(peakRss ?? 0, peak ?? 0) || undefined };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
