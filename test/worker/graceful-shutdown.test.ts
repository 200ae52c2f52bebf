// Graceful shutdown with real processes on PostgreSQL: `ferry serve --no-worker` takes the start, a first `ferry
// worker` runs the execution and gets SIGTERM in the middle of it. It interrupts the run (the engine keeps what it
// committed: bulk checkpoints, model-sync state), hands the job back without using an attempt and exits 0 within
// seconds; a second worker, up all along, resumes the execution and completes it. The destination ends with exactly
// the source's rows: none lost, none twice.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { call } from '../kit/ferry-server.ts';
import { startFerryProcesses, workerRunning, type FerryProcesses } from '../kit/ferry-processes.ts';
import { createPostgresDatabase, postgresUnavailable } from '../kit/services.ts';
import { postgresConfiguration, createConnection } from '../api/connection-data-kit.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from '../api/model-sync-execution-kit.ts';

/** A SIGTERM'd worker must be gone within this; it waits for no run to finish (the grace is 0 by default). */
const promptExitMs = 10_000;

interface ExecutionRow {
  status: string;
  schemas: string;
  errors: string;
}

async function metadataRow(ferry: FerryProcesses, text: string, values: unknown[]): Promise<ExecutionRow> {
  const client = new pg.Client({ connectionString: ferry.metadata!.url });
  await client.connect();
  try {
    return (await client.query<ExecutionRow>(text, values)).rows[0]!;
  } finally {
    await client.end();
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('SIGTERM hands running executions to another worker', { skip: await postgresUnavailable() }, () => {
  test('a bulk sync: the first worker exits 0 at once, the second resumes from the checkpoints', async (t) => {
    const ferry = await startFerryProcesses();
    const source = await createPostgresDatabase('ferry_shutdown_src');
    const destination = await createPostgresDatabase('ferry_shutdown_dst');
    const rows = 20_000;
    const holder = new pg.Client({ connectionString: source.url });
    try {
      const setup = new pg.Client({ connectionString: source.url });
      await setup.connect();
      for (const table of ['first_table', 'second_table'])
        await setup.query(
          `create table ${table} (id int primary key, v text);
           insert into ${table} select i, md5(i::text) from generate_series(1, ${rows}) i`,
        );
      await setup.end();
      await ferry.serve();
      const api = { url: ferry.url, apiKey: ferry.apiKey };
      const sourceId = await createConnection(api as never, 'postgresql', postgresConfiguration(source), ferry.apiKey);
      const destinationId = await createConnection(
        api as never,
        'postgresql',
        postgresConfiguration(destination),
        ferry.apiKey,
      );
      const sync = await call(ferry.url, 'POST', '/api/bulk/syncs', {
        key: ferry.apiKey,
        body: {
          name: 'Shutdown',
          source_connection_id: sourceId,
          destination_connection_id: destinationId,
          destination_configuration: {},
          default_schedule: { frequency: 'manual' },
        },
      });
      assert.equal(sync.status, 200, sync.text);
      const syncId = sync.body.data.id;

      // second_table stays locked on the source until the first worker is gone: its copy is in progress (blocked
      // on the read) when the SIGTERM comes, while first_table's copy completes and is checkpointed.
      await holder.connect();
      await holder.query('begin; lock table second_table in access exclusive mode');

      const first = ferry.worker();
      await workerRunning(first);
      const started = await call(ferry.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
        key: ferry.apiKey,
        body: {},
      });
      assert.equal(started.status, 200, started.text);
      const executionId = started.body.data.id;
      const execution = () =>
        metadataRow(ferry, "select status, schemas, '' as errors from bulk_sync_executions where id = $1", [
          executionId,
        ]);
      await until('first_table copied on the first worker', async () => {
        const row = await execution();
        const schemas = JSON.parse(row.schemas) as Array<{ schema: string; status: string }>;
        return schemas.some((schema) => schema.schema.endsWith('first_table') && schema.status === 'completed')
          ? true
          : undefined;
      });
      const second = ferry.worker();
      await workerRunning(second);

      const signalledAt = Date.now();
      first.child.kill('SIGTERM');
      const exit = await first.exited;
      t.diagnostic(`first worker exited ${exit.at - signalledAt} ms after SIGTERM, code ${exit.code}`);
      assert.equal(exit.code, 0, 'the stopping worker exits 0');
      assert.ok(exit.at - signalledAt < promptExitMs, `exited ${exit.at - signalledAt} ms after SIGTERM`);
      const handedBack = await execution();
      assert.notEqual(handedBack.status, 'completed', 'the first worker did not finish it');
      assert.notEqual(handedBack.status, 'canceled', 'an interruption is not a cancel');
      await holder.query('commit');

      const done = await until('the execution to finish on the second worker', async () => {
        const row = await execution();
        return ['completed', 'failed', 'canceled'].includes(row.status) ? row : undefined;
      });
      assert.equal(done.status, 'completed', JSON.stringify(done));
      assert.equal(second.child.exitCode, null, 'the second worker still runs');

      const check = new pg.Client({ connectionString: destination.url });
      await check.connect();
      try {
        for (const table of ['first_table', 'second_table']) {
          const { rows: found } = await check.query(
            `select count(*)::int as n, count(distinct id)::int as ids, sum(id)::bigint::text as total,
                    bool_and(v = md5(id::text)) as intact from ${table}`,
          );
          assert.deepEqual(
            found[0],
            { n: rows, ids: rows, total: String((rows * (rows + 1)) / 2), intact: true },
            `${table}: every source row exactly once`,
          );
        }
      } finally {
        await check.end();
      }
    } finally {
      await holder.end().catch(() => {});
      await ferry.close();
      await source.drop();
      await destination.drop();
    }
  });

  test('a model sync: the first worker exits 0 at once, the second resumes from the delivered state', async (t) => {
    const ferry = await startFerryProcesses();
    const people = 5000;
    let world: ExecutionWorld | undefined;
    try {
      await ferry.serve();
      const api = { url: ferry.url, apiKey: ferry.apiKey };
      world = await createExecutionWorld(api, range(1, people));
      const first = ferry.worker();
      await workerRunning(first);
      // Batches of 1000 records: the first two are delivered, the third is held unanswered (and so not applied)
      // until the first worker has been stopped; from then on every batch is answered.
      let firstStopped = false;
      let heldBatch = false;
      world.receiver.accept = (batchNumber) => {
        if (firstStopped || batchNumber < 3) return true;
        heldBatch = true;
        return false;
      };
      const syncId = await createSync(api, syncRequest(world, 'append', 'webhook'));
      const executionId = await startExecution(api, syncId);
      await until('the third batch to reach the webhook', async () => (heldBatch ? true : undefined));
      const second = ferry.worker();
      await workerRunning(second);

      const signalledAt = Date.now();
      firstStopped = true;
      first.child.kill('SIGTERM');
      const exit = await first.exited;
      t.diagnostic(`first worker exited ${exit.at - signalledAt} ms after SIGTERM, code ${exit.code}`);
      assert.equal(exit.code, 0, 'the stopping worker exits 0');
      assert.ok(exit.at - signalledAt < promptExitMs, `exited ${exit.at - signalledAt} ms after SIGTERM`);
      assert.equal(world.receiver.appended.length, 2000, 'two batches delivered before the stop');

      const execution = await waitForExecution(ferry.url, ferry.apiKey, syncId, executionId, { timeoutMs: 60_000 });
      assert.equal(execution.status, 'completed', JSON.stringify(execution));
      assert.equal(second.child.exitCode, null, 'the second worker still runs');
      const emails = world.receiver.appended.map((record) => String(record.email));
      assert.equal(emails.length, people, 'every row arrived');
      assert.equal(new Set(emails).size, people, 'no row arrived twice');
      const row = await metadataRow(
        ferry,
        "select status, errors, '' as schemas from model_sync_executions where id = $1",
        [executionId],
      );
      assert.deepEqual(JSON.parse(row.errors), [], 'the interruption is not recorded as a failed attempt');
    } finally {
      await ferry.close();
      await world?.remove();
    }
  });
});
