// Restart to resume, end to end, with real processes: `ferry serve --no-worker` takes the start, `ferry worker` runs a
// model sync into a webhook and is killed with SIGKILL when the third of five batches arrives (left unanswered).
//   - the same worker restarting (same machine, same data: the same identity) resumes the execution as soon as it
//     is up, with the lease still running;
//   - another worker (FERRY_WORKER_ID=another-worker), up before the kill, resumes it only once the lease has
//     expired (5 s here).
// Either way each row reaches the receiver exactly once. The times are printed (docs/queue.md quotes them): from the
// restart (spawn) to the worker's "worker started" log line, and to the first batch of the resumed attempt.
// On each metadata dialect (embedded queue on SQLite, graphile-worker on PostgreSQL).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { availableDialects, type Dialect } from '../kit/ferry-server.ts';
import { freePort } from '../kit/free-port.ts';
import { createPostgresDatabase, postgresUnavailable } from '../kit/services.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from '../api/model-sync-execution-kit.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');
const rows = 5000;
const apiKey = 'restart-api-key';

interface WorkerProcess {
  child: ChildProcess;
  spawnedAt: number;
  /** When the worker logged that it started (it holds its identity, and released what its slot held). */
  started: Promise<number>;
}

/** Ferry processes on one data dir and one metadata database, started and killed by the test. */
async function processes(dialect: Dialect, env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-restart-'));
  const metadata = dialect === 'postgres' ? await createPostgresDatabase('ferry_restart_meta') : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const baseEnv = {
    ...process.env,
    DATABASE_URL: metadata?.url ?? '',
    LOG_LEVEL: 'info',
    FERRY_DATA_DIR: dataDir,
    FERRY_BOOTSTRAP_PARTNER_KEY: 'restart-partner-key',
    FERRY_BOOTSTRAP_API_KEY: apiKey,
    FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true',
    FERRY_QUEUE_LEASE_MS: '',
    FERRY_QUEUE_HEARTBEAT_MS: '',
    FERRY_WORKER_ID: '',
    ...env,
  };
  const children: ChildProcess[] = [];
  return {
    api: { url, apiKey },
    async serve() {
      const child = spawn(
        process.execPath,
        [ferryBin, 'serve', '--no-worker', '--port', String(port), '--host', '127.0.0.1'],
        {
          env: baseEnv,
          stdio: 'ignore',
        },
      );
      children.push(child);
      for (let attempt = 0; attempt < 300; attempt += 1) {
        if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('ferry serve did not become healthy');
    },
    worker(extraEnv: Record<string, string> = {}): WorkerProcess {
      const spawnedAt = Date.now();
      const child = spawn(process.execPath, [ferryBin, 'worker'], {
        env: { ...baseEnv, ...extraEnv },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      children.push(child);
      const started = new Promise<number>((resolve) => {
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line.includes('"queue: worker started')) resolve(Date.now());
        });
      });
      return { child, spawnedAt, started };
    },
    async kill(child: ChildProcess) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
    async close() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          await once(child, 'exit');
        }
      }
      await metadata?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Measured {
  killedAt: number;
  resumedAt: number;
}

/**
 * Runs the sync on a first worker and kills it at the third batch, or at the first one after that for which
 * `mayKill()` holds; then calls `afterKill()` and waits for the execution to complete. The resume is the first batch
 * after the kill: the batch that was in flight, sent again by the next attempt.
 */
async function killAndResume(
  ferry: Awaited<ReturnType<typeof processes>>,
  world: ExecutionWorld,
  rowCount: number,
  hooks: { onRunning?: () => void; mayKill?: () => boolean; afterKill?: () => void },
): Promise<Measured> {
  const first = ferry.worker();
  await first.started;
  const receiver = world.receiver;
  let killedAtBatch: number | undefined;
  let killed: Promise<void> | undefined;
  let resumed: (at: number) => void;
  const resumedAt = new Promise<number>((resolve) => (resumed = resolve));
  receiver.accept = (batchNumber) => {
    if (batchNumber === 1) hooks.onRunning?.();
    if (killedAtBatch === undefined && batchNumber >= 3 && (hooks.mayKill?.() ?? true)) {
      killedAtBatch = batchNumber;
      receiver.delayMs = 0;
      killed = ferry.kill(first.child); // never answered: the batch was not delivered
      return false;
    }
    if (killedAtBatch !== undefined && batchNumber === killedAtBatch + 1) resumed(Date.now());
    return true;
  };
  const syncId = await createSync(ferry.api, syncRequest(world, 'append', 'webhook'));
  const executionId = await startExecution(ferry.api, syncId);
  const deadline = Date.now() + 90_000;
  while (killed === undefined) {
    if (Date.now() > deadline) assert.fail('the worker was never killed');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await killed;
  const killedAt = Date.now();
  assert.equal(receiver.appended.length, (killedAtBatch! - 1) * 1000);
  hooks.afterKill?.();
  const execution = await waitForExecution(ferry.api.url, apiKey, syncId, executionId, { timeoutMs: 120_000 });
  assert.equal(execution.status, 'completed', JSON.stringify(execution));
  const emails = receiver.appended.map((record) => String(record.email));
  assert.equal(emails.length, rowCount, 'every row arrived once');
  assert.equal(new Set(emails).size, rowCount, 'no row arrived twice');
  return { killedAt, resumedAt: await resumedAt };
}

const dialects = (await postgresUnavailable()) ? [] : await availableDialects();

for (const dialect of dialects) {
  describe(`restart to resume after a kill -9 of \`ferry worker\` (${dialect} metadata)`, () => {
    test('the same worker, restarted, resumes the execution as soon as it is up, long before the lease', async (t) => {
      // The lease is long here so that "before the lease" holds however slowly this machine starts a process;
      // the identity's reclaim does not depend on it.
      const leaseMs = 60_000;
      const ferry = await processes(dialect, { FERRY_QUEUE_LEASE_MS: String(leaseMs) });
      let world: ExecutionWorld | undefined;
      try {
        await ferry.serve();
        world = await createExecutionWorld(ferry.api, range(1, rows));
        let restart: WorkerProcess | undefined;
        const { killedAt, resumedAt } = await killAndResume(ferry, world, rows, {
          afterKill: () => (restart = ferry.worker()),
        });
        const startedAt = await restart!.started;
        const restartToResume = resumedAt - restart!.spawnedAt;
        t.diagnostic(
          `${dialect}: restart to resume ${restartToResume} ms (process start ${startedAt - restart!.spawnedAt} ms, ` +
            `then ${resumedAt - startedAt} ms to the first batch); kill to resume ${resumedAt - killedAt} ms`,
        );
        assert.ok(resumedAt - startedAt < 5_000, `resumed ${resumedAt - startedAt} ms after the worker was up`);
        assert.ok(resumedAt - killedAt < leaseMs, `resumed ${resumedAt - killedAt} ms after the kill, after the lease`);
      } finally {
        await ferry.close();
        await world?.remove();
      }
    });

    test('another worker, up all along, resumes the execution once the lease (5 s here) has expired, not before', async (t) => {
      const leaseMs = 5_000;
      const rowCount = 20_000;
      const ferry = await processes(dialect, { FERRY_QUEUE_LEASE_MS: String(leaseMs) });
      let world: ExecutionWorld | undefined;
      try {
        await ferry.serve();
        world = await createExecutionWorld(ferry.api, range(1, rowCount));
        // Slow batches keep the first worker busy until the other one is up and polling.
        world.receiver.delayMs = 1_000;
        let other: WorkerProcess | undefined;
        let otherUp = false;
        const { killedAt, resumedAt } = await killAndResume(ferry, world, rowCount, {
          onRunning: () => {
            other = ferry.worker({ FERRY_WORKER_ID: 'another-worker' });
            void other.started.then(() => (otherUp = true));
          },
          mayKill: () => otherUp,
        });
        const killToResume = resumedAt - killedAt;
        t.diagnostic(`${dialect}: kill to resume on another worker ${killToResume} ms with a ${leaseMs} ms lease`);
        // The dead worker renewed its lease at most one heartbeat (a quarter of the lease) before it died.
        assert.ok(
          killToResume >= leaseMs * 0.75 - 200,
          `taken over ${killToResume} ms after the kill, before the lease`,
        );
        assert.ok(killToResume < leaseMs * 3, `taken over ${killToResume} ms after the kill`);
      } finally {
        await ferry.close();
        await world?.remove();
      }
    });
  });
}
