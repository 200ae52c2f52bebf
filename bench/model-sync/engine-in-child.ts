// The engine alone in a fresh process, as the worker of `ferry serve` would run it but with no server around it: run 1
// (backfill) then, after the parent changed 1% of the rows, run 2, into `public.contacts`, with the state on embedded
// SQLite, record logs, and a console log kept in memory for the phases. Both processes start cold, so set against
// bench/model-sync/ferry-end-to-end.ts it shows what the server adds (API, queue, execution rows, metrics) and not
// the JIT. Protocol (IPC): the parent sends { run: n }, the child answers { ms, cpuMs, phases }; { stop: true } ends it.
// BENCH_ENGINE_WARM_UP=1 first runs a backfill of another sync into an accepting no-op target (a warm JIT).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../src/connectors/connector.ts';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { silentLogger } from '../../src/domain/run-context.ts';
import { createMemoryConsoleLog } from '../../src/engine/memory-console-log.ts';
import { runModelSync } from '../../src/engine/model-sync/model-sync-runner.ts';
import type { ModelSyncPlan } from '../../src/engine/model-sync/model-sync-plan.ts';
import { createStateCache } from '../../src/engine/model-sync/state/state-cache.ts';
import { createGzipRecordLogWriter } from '../../src/engine/record-logs/gzip-record-log-writer.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { createKyselyStateStore } from '../../src/persistence/stores/kysely-state-store.ts';
import { postgresConfiguration } from '../../test/connectors/postgres-configuration-fixture.ts';
import { peopleToContacts } from './people-model.ts';

export interface EngineChildRun {
  ms: number;
  cpuMs: number;
  phases: Record<string, number>;
  counts: Record<string, number>;
  window: { fromUs: number; toUs: number };
}

const configuration = (url: string) => postgresConfiguration({ url, name: new URL(url).pathname.slice(1) } as never);

const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-engine-child-'));
const database = openDatabase({ dataDir });
await migrateToLatest(database);
const connector = createPostgresConnector();
// BENCH_ENGINE_FRESH_CONNECTIONS=1 opens both connections for each run and closes them after it, as the worker does.
const freshConnections = process.env.BENCH_ENGINE_FRESH_CONNECTIONS === '1';
const openSource = () => connector.open(configuration(process.env.BENCH_SOURCE_URL!));
const openTarget = () => connector.open(configuration(process.env.BENCH_TARGET_URL!));
let source = openSource();
let target = openTarget();
const stateStore = createKyselyStateStore(database.db);
const stateCache = createStateCache();
const consoleLog = createMemoryConsoleLog();
const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
const plan = (executionId: string, syncId: string, connection: Connection): ModelSyncPlan => ({
  syncId,
  executionId,
  source: { connection: source, query: process.env.BENCH_MODEL_QUERY ?? 'select * from people order by id' },
  target: { connection, objectId: 'public.contacts' },
  ...peopleToContacts,
});

async function run(executionId: string, syncId: string, given?: Connection): Promise<EngineChildRun> {
  const fromUs = Number(process.hrtime.bigint() / 1000n);
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (freshConnections) {
    source = openSource();
    target = openTarget();
  }
  const connection = given ?? target;
  const result = await runModelSync(context, plan(executionId, syncId, connection), {
    stateStore,
    stateCache,
    consoleLog,
    recordLogs: createGzipRecordLogWriter({ directory: join(dataDir, 'record-logs', executionId) }),
  });
  if (freshConnections) await Promise.all([source.close(), target.close()]);
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (result.status !== 'completed') throw new Error(`run ${executionId} ${result.status}`, { cause: result.error });
  const completed = consoleLog.entries.findLast(
    (entry) => entry.executionId === executionId && entry.message === 'Model sync completed',
  );
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    phases: ((completed?.payload as { phases_ms?: Record<string, number> })?.phases_ms ?? {}) as Record<string, number>,
    counts: { ...result.counts },
    window: { fromUs, toUs: Number(process.hrtime.bigint() / 1000n) },
  };
}

if (process.env.BENCH_ENGINE_WARM_UP === '1') {
  const accepting: Connection = {
    ...target,
    modelTarget: {
      ...target.modelTarget!,
      write: async (_context, request) => ({ inserted: request.records.length, updated: 0, deleted: 0, rejected: [] }),
    },
  };
  await run('warm-up', 'warm-up', accepting);
}

process.on('message', async (message: { run?: number; stop?: boolean }) => {
  if (message.stop) {
    if (!freshConnections) await Promise.all([source.close(), target.close()]);
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
  process.send!(await run(`run-${message.run}`, 'bench-sync'));
});
process.send!({ ready: true });
