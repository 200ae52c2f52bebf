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
import { availableDialects } from '../kit/ferry-server.ts';
import { startFerryProcesses, type FerryProcess, type FerryProcesses } from '../kit/ferry-processes.ts';
import { postgresUnavailable } from '../kit/services.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from '../api/model-sync-execution-kit.ts';

const rows = 5000;
const workerStarted = '"queue: worker started';

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
  ferry: FerryProcesses,
  world: ExecutionWorld,
  rowCount: number,
  hooks: { onRunning?: () => void; mayKill?: () => boolean; afterKill?: () => void },
): Promise<Measured> {
  const first = ferry.worker();
  await first.logged(workerStarted);
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
      killed = ferry.kill(first); // never answered: the batch was not delivered
      return false;
    }
    if (killedAtBatch !== undefined && batchNumber === killedAtBatch + 1) resumed(Date.now());
    return true;
  };
  const syncId = await createSync(ferry, syncRequest(world, 'append', 'webhook'));
  const executionId = await startExecution(ferry, syncId);
  const deadline = Date.now() + 90_000;
  while (killed === undefined) {
    if (Date.now() > deadline) assert.fail('the worker was never killed');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await killed;
  const killedAt = Date.now();
  assert.equal(receiver.appended.length, (killedAtBatch! - 1) * 1000);
  hooks.afterKill?.();
  const execution = await waitForExecution(ferry.url, ferry.apiKey, syncId, executionId, { timeoutMs: 120_000 });
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
      const ferry = await startFerryProcesses({ FERRY_QUEUE_LEASE_MS: String(leaseMs) }, dialect);
      let world: ExecutionWorld | undefined;
      try {
        await ferry.serve();
        world = await createExecutionWorld(ferry, range(1, rows));
        let restart: FerryProcess | undefined;
        const { killedAt, resumedAt } = await killAndResume(ferry, world, rows, {
          afterKill: () => (restart = ferry.worker()),
        });
        const startedAt = await restart!.logged(workerStarted);
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
      const ferry = await startFerryProcesses({ FERRY_QUEUE_LEASE_MS: String(leaseMs) }, dialect);
      let world: ExecutionWorld | undefined;
      try {
        await ferry.serve();
        world = await createExecutionWorld(ferry, range(1, rowCount));
        // Slow batches keep the first worker busy until the other one is up and polling.
        world.receiver.delayMs = 1_000;
        let other: FerryProcess | undefined;
        let otherUp = false;
        const { killedAt, resumedAt } = await killAndResume(ferry, world, rowCount, {
          onRunning: () => {
            other = ferry.worker({ FERRY_WORKER_ID: 'another-worker' });
            void other.logged(workerStarted).then(() => (otherUp = true));
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
