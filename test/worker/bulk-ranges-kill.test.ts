// kill -9 of the worker while it copies a MySQL table in parallel key ranges, with real processes (`ferry serve
// --no-worker` and a `ferry worker` on PostgreSQL metadata): the restarted worker (same identity, so it takes its job
// back at once) resumes the execution from the ranges' checkpoint, and the destination ends with every source row
// exactly once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call } from '../kit/ferry-server.ts';
import { startFerryProcesses, workerRunning } from '../kit/ferry-processes.ts';
import { createMysqlDatabase, createPostgresDatabase, mysqlUnavailable, postgresUnavailable } from '../kit/services.ts';
import { mysqlConfiguration, postgresConfiguration } from '../api/connection-data-kit.ts';

const unavailable = (await mysqlUnavailable()) ?? (await postgresUnavailable());
// Two ranges of 300,000 rows, each three COPY chunks of 100,000: the kill lands after the first chunks commit.
const rows = 600_000;

describe('bulk copy of a MySQL table in ranges survives kill -9', { skip: unavailable }, () => {
  test('the worker is killed after the first chunks commit; the restart resumes the ranges', async (t) => {
    const ferry = await startFerryProcesses({
      FERRY_WORKER_ID: 'ranges-kill-worker',
      FERRY_BULK_RANGES: '2',
      FERRY_BULK_SPLIT_ROWS: '1000',
    });
    const [source, destination] = await Promise.all([
      createMysqlDatabase('ferry_kill_ranges'),
      createPostgresDatabase('ferry_kill_ranges'),
    ]);
    const metadata = new pg.Pool({ connectionString: ferry.metadata!.url, max: 1 });
    const destinationSql = new pg.Pool({ connectionString: destination.url, max: 1 });
    try {
      const native = await mysql.createConnection({ uri: source.url });
      await native.query('create table items (id int primary key, label varchar(40) not null, n int)');
      await native.query(`insert into items select seq, md5(seq), seq % 97 from seq_1_to_${rows}`);
      await native.end();
      await ferry.serve();
      const connection = async (type: string, configuration: Record<string, unknown>) => {
        const created = await call(ferry.url, 'POST', '/api/connections', {
          key: ferry.apiKey,
          body: { name: type, type, configuration, validate: true },
        });
        assert.equal(created.status, 200, created.text);
        return created.body.data.id as string;
      };
      const sync = await call(ferry.url, 'POST', '/api/bulk/syncs', {
        key: ferry.apiKey,
        body: {
          name: 'Ranges kill',
          mode: 'replicate',
          source_connection_id: await connection('mysql', mysqlConfiguration(source)),
          destination_connection_id: await connection('postgresql', postgresConfiguration(destination)),
          destination_configuration: { schema: 'copied' },
          schemas: [`${source.name}.items`],
          default_schedule: { frequency: 'manual' },
        },
      });
      assert.equal(sync.status, 200, sync.text);
      const syncId = sync.body.data.id as string;
      let worker = ferry.worker();
      await workerRunning(worker);
      const started = await call(ferry.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
        key: ferry.apiKey,
        body: {},
      });
      assert.equal(started.status, 200, started.text);
      const executionId = started.body.data.id as string;

      // Killed once some range has committed a chunk, while the copy is still loading.
      const checkpoint = async () =>
        (
          await metadata.query<{ phase: string; cursor: string | null; rows: number }>(
            'select phase, cursor, rows from bulk_sync_checkpoints where sync_id = $1',
            [syncId],
          )
        ).rows[0];
      for (;;) {
        const saved = await checkpoint();
        if (saved?.phase === 'completed') assert.fail('the copy finished before the kill');
        if (saved?.cursor?.includes('copy_ranges') && saved.rows > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await ferry.kill(worker);
      const atKill = await checkpoint();
      t.diagnostic(`killed with ${atKill?.rows} rows checkpointed`);
      assert.ok(atKill && atKill.rows < rows, 'killed in the middle of the copy');

      worker = ferry.worker();
      await workerRunning(worker);
      const deadline = Date.now() + 120_000;
      let execution: Record<string, unknown>;
      for (;;) {
        const got = await call(ferry.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${executionId}`, {
          key: ferry.apiKey,
        });
        execution = got.body.data;
        if (['completed', 'failed', 'canceled'].includes(execution.status as string)) break;
        if (Date.now() > deadline) assert.fail(`the execution is still ${execution.status}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(execution.status, 'completed', JSON.stringify(execution));
      const { rows: counted } = await destinationSql.query(
        'select count(*)::int as rows, count(distinct id)::int as keys from copied.items',
      );
      assert.deepEqual(counted[0], { rows, keys: rows }, 'every source row exactly once');
      const copiedAgain = (await checkpoint())!.rows - atKill.rows;
      t.diagnostic(`the resumed attempt copied ${copiedAgain} rows`);
      assert.ok(copiedAgain < rows, `the resumed attempt copied ${copiedAgain} rows, not the whole table again`);
      const { rows: lines } = await metadata.query<{ message: string }>(
        'select message from execution_console_logs where execution_id = $1 order by id',
        [executionId],
      );
      assert.ok(
        lines.some((line) => line.message.startsWith('Resuming')),
        'the restarted worker resumed the copy from its checkpoint',
      );
    } finally {
      await Promise.all([metadata.end(), destinationSql.end()]);
      await ferry.close();
      await Promise.all([source.drop(), destination.drop()]);
    }
  });
});
