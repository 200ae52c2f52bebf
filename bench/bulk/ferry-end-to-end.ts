// The bulk copy as a user waits for it: a real `ferry serve` in its own process (embedded SQLite metadata and
// queue, in-process worker), two PostgreSQL connections and a bulk sync created through the API, the execution
// POSTed and polled until it is completed. The breakdown comes from the execution's own timestamps and its console
// log, so it shows where the time between the POST and the poll that saw `completed` went.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScratchDatabase } from '../../test/kit/services.ts';
import { printTable } from '../lib/result-table.ts';
import { forkServer, type ServerChild } from '../lib/server-child.ts';

const apiKey = 'ferry-bench-end-to-end-key-0123456789';

interface EndToEndPhase {
  name: string;
  milliseconds: number;
}

export interface EndToEndResult {
  seconds: number;
  rows: number;
  peakRss: number | undefined;
  path: string;
  phases: EndToEndPhase[];
}

interface ConsoleEntry {
  message: string;
  timestamp: string;
  payload?: { path?: string };
}

interface ConsolePage {
  entries?: ConsoleEntry[];
  next_cursor?: string;
}

interface ExecutionWire {
  id: string;
  status: string;
  created_at: string;
  started_at?: string;
  completed_at?: string;
  record_count?: number;
}

export async function api<Data = { id: string }>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Data> {
  const response = await fetch(new URL(path, url), {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (JSON.parse(text) as { data: Data }).data;
}

/** A connection as the API takes it: its type and configuration. */
export interface BenchConnection {
  type: string;
  configuration: Record<string, unknown>;
}

/** The postgresql connection configuration of a scratch database. */
export function postgresConnectionOf(database: ScratchDatabase): BenchConnection {
  const url = new URL(database.url);
  return {
    type: 'postgresql',
    configuration: {
      hostname: url.hostname,
      port: Number(url.port || 5432),
      database: database.name,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      ssl: false,
    },
  };
}

/** The mysql connection configuration of a scratch database. */
export function mysqlConnectionOf(database: ScratchDatabase): BenchConnection {
  const url = new URL(database.url);
  return {
    type: 'mysql',
    configuration: {
      hostname: url.hostname,
      port: Number(url.port || 3306),
      account: decodeURIComponent(url.username),
      ...(url.password ? { passwd: decodeURIComponent(url.password) } : {}),
      dbname: database.name,
      ssl: false,
    },
  };
}

async function consoleLog(url: string, syncId: string, executionId: string): Promise<ConsoleEntry[]> {
  const entries: ConsoleEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const query = after ? `?after=${after}` : '';
    const page = await api<ConsolePage>(
      url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${executionId}/consolelog${query}`,
    );
    entries.push(...(page.entries ?? []));
    if (!page.next_cursor || (page.entries ?? []).length === 0) return entries;
    after = page.next_cursor;
  }
}

export function between(from: string | number | undefined, to: string | number | undefined): number {
  if (from === undefined || to === undefined) return Number.NaN;
  const start = typeof from === 'number' ? from : Date.parse(from);
  const end = typeof to === 'number' ? to : Date.parse(to);
  return end - start;
}

/**
 * A Ferry server as `ferry serve` builds it, in its own process, on `dataDir` with the benchmarks' bootstrap key
 * (`BENCH_CPU_PROF_DIR` makes it write a CPU profile); `env` adds to its environment.
 */
export function forkBenchServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerChild<unknown>> {
  return forkServer(fileURLToPath(new URL('../api/ferry-child.ts', import.meta.url)), {
    ...(process.env.BENCH_CPU_PROF_DIR ? { cpuProfileDir: process.env.BENCH_CPU_PROF_DIR } : {}),
    env: {
      FERRY_DATA_DIR: dataDir,
      FERRY_BOOTSTRAP_API_KEY: apiKey,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
  });
}

/**
 * Copies `schemaId` of `source` into `destination` (namespace `destinationSchema`, which must exist) through a fresh
 * Ferry server (`serverEnv` adds to its environment), and returns the wall time from the execution's POST to the poll
 * that saw it completed.
 */
export async function copyThroughServer(
  source: BenchConnection,
  destination: BenchConnection,
  schemaId: string,
  destinationSchema: string,
  serverEnv: Record<string, string> = {},
): Promise<EndToEndResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-e2e-'));
  const server = await forkBenchServer(dataDir, serverEnv);
  let peakRss: number | undefined;
  let result: Omit<EndToEndResult, 'peakRss'>;
  try {
    const sourceId = (
      await api(server.url, 'POST', '/api/connections', {
        name: 'Bench source',
        ...source,
      })
    ).id;
    const destinationId = (
      await api(server.url, 'POST', '/api/connections', {
        name: 'Bench destination',
        ...destination,
      })
    ).id;
    const sync = await api(server.url, 'POST', '/api/bulk/syncs', {
      name: 'Bench copy',
      source_connection_id: sourceId,
      destination_connection_id: destinationId,
      destination_configuration: { schema: destinationSchema },
      default_schedule: { frequency: 'manual' },
      schemas: [schemaId],
    });
    const posted = performance.now();
    const postedAt = Date.now();
    const execution = await api(server.url, 'POST', `/api/bulk/syncs/${sync.id}/executions`, {});
    let finished: ExecutionWire;
    for (;;) {
      finished = await api<ExecutionWire>(server.url, 'GET', `/api/bulk/syncs/${sync.id}/executions/${execution.id}`);
      if (['completed', 'failed', 'canceled'].includes(finished.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const seconds = (performance.now() - posted) / 1000;
    const seenAt = Date.now();
    if (finished.status !== 'completed')
      throw new Error(`the execution ${finished.status}: ${JSON.stringify(finished)}`);
    const entries = await consoleLog(server.url, sync.id, execution.id);
    const at = (prefix: string) => entries.find((entry) => entry.message.startsWith(prefix))?.timestamp;
    // The schema's lines: `Starting …` (the source described), `Destination: …` for each operation, then the copy.
    const engineStarted = at('Started:');
    const schemaStarted = at('Starting') ?? at('Resuming');
    const destinationLines = entries.filter((entry) => entry.message.startsWith('Destination:'));
    const copyStarted = destinationLines.at(-1)?.timestamp ?? schemaStarted;
    const finishedEntry = entries.find((entry) => entry.message.startsWith('Finished:'));
    const copyFinished = finishedEntry?.timestamp;
    const phases: EndToEndPhase[] = [
      { name: 'POST → execution created', milliseconds: between(postedAt, finished.created_at) },
      { name: 'queue pickup (created → started)', milliseconds: between(finished.created_at, finished.started_at) },
      { name: 'task set-up (started → engine start)', milliseconds: between(finished.started_at, engineStarted) },
      { name: 'discovery (engine start → schema start)', milliseconds: between(engineStarted, schemaStarted) },
      { name: 'destination preparation', milliseconds: between(schemaStarted, copyStarted) },
      { name: 'the copy, with its checkpoints', milliseconds: between(copyStarted, copyFinished) },
      { name: 'completion (copy finished → completed)', milliseconds: between(copyFinished, finished.completed_at) },
      { name: 'completed → seen by the poll', milliseconds: between(finished.completed_at, seenAt) },
    ];
    result = { seconds, rows: finished.record_count ?? 0, path: finishedEntry?.payload?.path ?? '', phases };
  } finally {
    peakRss = await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { ...result, peakRss };
}

/** The breakdown of one end-to-end copy, as a table of phases and their share of the whole. */
export function printPhases(result: EndToEndResult): void {
  printTable(
    'Where the end-to-end time went',
    [
      { header: 'phase', cell: (row: EndToEndPhase) => row.name },
      { header: 'ms', cell: (row: EndToEndPhase) => row.milliseconds.toFixed(0), align: 'right' },
      {
        header: 'share',
        cell: (row: EndToEndPhase) => `${((row.milliseconds / (result.seconds * 1000)) * 100).toFixed(1)} %`,
        align: 'right',
      },
    ],
    result.phases,
  );
}
