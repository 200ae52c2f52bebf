// A model-sync execution whose process is killed (SIGKILL) mid-run, then started again: the job is taken up once
// its lease has run out (FERRY_QUEUE_LEASE_MS, 3 s here), and the next attempt sends only what was not delivered.
// `append` is the unforgiving mode: it has no key, so a batch sent twice would show as duplicates in the target.
//   - webhook: `ferry serve` (API and worker) is killed when the third batch reaches the receiver, unanswered;
//   - PostgreSQL: `ferry worker` (beside `ferry serve --no-worker`) is killed while the third batch's INSERT waits
//     in a pg_sleep trigger.
// Both on each metadata dialect this machine offers (embedded queue on SQLite, graphile-worker on PostgreSQL).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call } from '../kit/ferry-server.ts';
import { startFerryProcesses } from '../kit/ferry-processes.ts';
import { postgresUnavailable } from '../kit/services.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  sql,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from './model-sync-execution-kit.ts';

const rows = 5000;
const crashEnv = { LOG_LEVEL: 'warn', FERRY_QUEUE_LEASE_MS: '3000' };

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const dialects = (await postgresUnavailable()) ? [] : await availableDialects();

for (const dialect of dialects) {
  describe(`a killed model-sync execution resumes without loss or duplicates (${dialect} metadata)`, () => {
    test('webhook, append: `ferry serve` killed at the third batch; restarted, the receiver holds each row exactly once', async () => {
      const ferry = await startFerryProcesses(crashEnv, dialect);
      let world: ExecutionWorld | undefined;
      try {
        const serve = await ferry.serve({ withWorker: true });
        world = await createExecutionWorld(ferry, range(1, rows));
        const receiver = world.receiver;
        let killed: Promise<void> | undefined;
        receiver.accept = (batchNumber) => {
          if (batchNumber !== 3) return true;
          killed = ferry.kill(serve); // the third batch is never answered: it was not delivered
          return false;
        };
        const syncId = await createSync(ferry, syncRequest(world, 'append', 'webhook'));
        const executionId = await startExecution(ferry, syncId);
        await until(async () => killed !== undefined, 'the third batch');
        await killed;
        assert.equal(receiver.appended.length, 2000);
        receiver.accept = undefined;

        await ferry.serve({ withWorker: true });
        const execution = await waitForExecution(ferry.url, ferry.apiKey, syncId, executionId, {
          timeoutMs: 60_000,
        });
        assert.equal(execution.status, 'completed', JSON.stringify(execution));
        assert.deepEqual(
          { insert: execution.counts.insert, total: execution.counts.total, error: execution.counts.error },
          { insert: rows, total: rows, error: 0 },
        );
        const emails = receiver.appended.map((record) => String(record.email));
        assert.equal(emails.length, rows, 'every row arrived once');
        assert.equal(new Set(emails).size, rows, 'no row arrived twice');
        assert.equal(receiver.received, 6, 'batches 1–2, the dropped 3, then 3–5 again');
        assert.equal(receiver.unverified, 0);
      } finally {
        await ferry.close();
        await world?.remove();
      }
    });

    test('PostgreSQL, append: `ferry worker` killed during the third batch; a new worker finishes; the table holds each row exactly once', async () => {
      const ferry = await startFerryProcesses(crashEnv, dialect);
      let world: ExecutionWorld | undefined;
      try {
        await ferry.serve();
        const worker = ferry.worker();
        world = await createExecutionWorld(ferry, range(1, rows));
        const target = world.target;
        await sql(
          target,
          `create function slow_batch() returns trigger language plpgsql as $$ begin perform pg_sleep(0.4); return null; end $$`,
        );
        await sql(
          target,
          'create trigger slow_batch before insert on contact_log for each statement execute function slow_batch()',
        );
        const syncId = await createSync(ferry, syncRequest(world, 'append', 'postgres'));
        const executionId = await startExecution(ferry, syncId);
        // Batch 2 is committed in the target and in the state before batch 3's INSERT starts to sleep.
        await until(async () => {
          const [{ committed }] = await sql(target, 'select count(*)::int as committed from contact_log');
          const [{ sleeping }] = await sql(
            target,
            "select count(*)::int as sleeping from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'",
          );
          return committed === 2000 && sleeping === 1;
        }, 'the third batch in flight');
        await ferry.kill(worker);
        const [{ afterKill }] = await sql(target, 'select count(*)::int as "afterKill" from contact_log');
        assert.equal(afterKill, 2000, 'the batch in flight rolled back with its session');
        const stale = await call(ferry.url, 'GET', `/api/syncs/${syncId}/executions/${executionId}`, {
          key: ferry.apiKey,
        });
        assert.equal(stale.body.data.counts.insert, 2000, 'the counts of what was delivered were kept batch by batch');

        ferry.worker();
        const execution = await waitForExecution(ferry.url, ferry.apiKey, syncId, executionId, {
          timeoutMs: 60_000,
        });
        assert.equal(execution.status, 'completed', JSON.stringify(execution));
        assert.deepEqual(
          { insert: execution.counts.insert, total: execution.counts.total, error: execution.counts.error },
          { insert: rows, total: rows, error: 0 },
        );
        const [{ total, distinct }] = await sql(
          target,
          'select count(*)::int as total, count(distinct email)::int as distinct from contact_log',
        );
        assert.deepEqual({ total, distinct }, { total: rows, distinct: rows });
      } finally {
        await ferry.close();
        await world?.remove();
      }
    });
  });
}
