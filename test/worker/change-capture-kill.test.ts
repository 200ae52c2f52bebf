// kill -9 at random moments while a continuous change-capture sync streams a steady load, with real processes
// (`ferry serve --no-worker` and a `ferry worker` on PostgreSQL metadata): the worker is killed (the last time with
// SIGTERM, which must stop it cleanly and at once), restarted under the same identity (so it takes its job back at once), and after the last restart the destination converges to the
// source row by row. What makes it hold: the position is stored in Ferry only after the destination committed, the
// slot is confirmed only after that, and a replay from an older position is idempotent by key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pg from 'pg';
import { startFerryProcesses, workerRunning } from '../kit/ferry-processes.ts';
import { mysqlUnavailable, postgresUnavailable } from '../kit/services.ts';
import {
  createBulkSync,
  createMariadbCdcWorld,
  createPostgresCdcWorld,
  tableRows,
  type FerryEndpoint,
  type PostgresCdcWorld,
} from '../api/change-capture-kit.ts';

type World = Omit<PostgresCdcWorld, 'source'>;

async function converged(world: World, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const destination = await tableRows(world.destinationSql, 'copied.items', 'id, v, n').catch(() => []);
    const source = await world.sourceSql.rows('items', 'id, v, n');
    if (JSON.stringify(destination) === JSON.stringify(source)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** `kills` stops per source, the last one a SIGTERM; fewer for MariaDB to keep the file near a minute per source. */
const sources: Array<{
  name: string;
  kills: number;
  unavailable: string | undefined;
  world(ferry: FerryEndpoint): Promise<World>;
}> = [
  {
    name: 'PostgreSQL',
    kills: 3,
    unavailable: await postgresUnavailable(),
    world: (ferry) =>
      createPostgresCdcWorld(
        ferry,
        `create table items (id int primary key, v text, n int);
         insert into items select i, md5(i::text), 0 from generate_series(1, 20000) i`,
      ),
  },
  {
    name: 'MariaDB',
    kills: 2,
    unavailable: (await mysqlUnavailable()) ?? (await postgresUnavailable()),
    world: (ferry) =>
      createMariadbCdcWorld(
        ferry,
        `create table items (id int primary key, v varchar(64), n int);
         insert into items select seq, md5(seq), 0 from seq_1_to_20000`,
      ),
  },
];

for (const source of sources)
  describe(`change capture from ${source.name} survives kill -9`, { skip: source.unavailable }, () => {
    test('random kills of the worker during a steady stream: destination = source after the restart', async (t) => {
      const ferry = await startFerryProcesses({ FERRY_SCHEDULER_POLL_MS: '500', FERRY_WORKER_ID: 'cdc-kill-worker' });
      let world: World | undefined;
      let writing = true;
      let writer: Promise<void> = Promise.resolve();
      try {
        await ferry.serve();
        world = await source.world(ferry);
        const sourceSql = world.sourceSql;
        let committed = 0;
        // About 30 transactions a second, each an insert, an update and a delete.
        writer = (async () => {
          let id = 20_001;
          while (writing) {
            await sourceSql.query(
              `begin; insert into items values (${id}, 'live', 0);
             update items set n = n + 1, v = 'k${id}' where id = ${1 + ((id * 7919) % 20_000)};
             delete from items where id = ${1 + ((id * 104_729) % 20_000)}; commit`,
            );
            id += 1;
            committed += 1;
            await new Promise((resolve) => setTimeout(resolve, 30));
          }
        })();
        let worker = ferry.worker();
        await workerRunning(worker);
        const syncId = await createBulkSync(ferry, world, [world.sourceSql.schemaId('items')], 'continuous');
        const metadata = new pg.Pool({ connectionString: ferry.metadata!.url, max: 1 });
        const consoleLines = async () =>
          (
            await metadata.query<{ message: string }>(
              `select l.message from execution_console_logs l join bulk_sync_executions e on e.id = l.execution_id
             where e.sync_id = $1 order by l.id`,
              [syncId],
            )
          ).rows.map((row) => row.message);
        // The kills land inside the run: once the scheduler has started it.
        while (!(await consoleLines()).some((line) => line.startsWith('Started:')))
          await new Promise((resolve) => setTimeout(resolve, 100));
        const kills = source.kills;
        for (let kill = 0; kill < kills; kill += 1) {
          // A random moment: during the snapshot copy or the stream, in the middle of a batch or between two.
          const wait = 1500 + Math.floor(Math.random() * 3000);
          await new Promise((resolve) => setTimeout(resolve, wait));
          // The last stop is a SIGTERM: the worker stops the stream at a confirmed position and exits 0 at once.
          const signal = kill === kills - 1 ? 'SIGTERM' : 'SIGKILL';
          const signalledAt = Date.now();
          worker.child.kill(signal);
          const exit = await worker.exited;
          if (signal === 'SIGTERM') {
            assert.equal(exit.code, 0, 'a SIGTERM stops the streaming worker cleanly');
            assert.ok(exit.at - signalledAt < 10_000, `exited ${exit.at - signalledAt} ms after SIGTERM`);
          }
          t.diagnostic(`${signal} ${kill + 1} after ${wait} ms, ${committed} source transactions so far`);
          worker = ferry.worker();
          await workerRunning(worker);
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        writing = false;
        await writer;
        assert.ok(committed > 50, `a steady load ran (${committed} transactions)`);
        assert.ok(await converged(world, 45_000), 'the destination converged to the source');

        try {
          const { rows } = await metadata.query<{ n: number; running: number }>(
            `select count(*)::int as n, count(*) filter (where status = 'running')::int as running
           from bulk_sync_executions where sync_id = $1`,
            [syncId],
          );
          assert.equal(rows[0]!.running, 1, 'one long-lived execution streams');
          assert.equal(rows[0]!.n, 1, 'the scheduler did not fire again while it ran');
          const lines = await consoleLines();
          t.diagnostic(lines.filter((line) => !line.startsWith('Applied')).join(' | '));
          assert.equal(
            lines.filter((line) => line.startsWith('Started:')).length,
            kills + 1,
            'each restart resumed the one execution',
          );
          assert.ok(
            lines.some((line) => line.startsWith('Applied ')),
            'changes were streamed',
          );
        } finally {
          await metadata.end();
        }
      } finally {
        writing = false;
        await writer.catch(() => {});
        await ferry.close();
        await world?.cleanup();
      }
    });
  });
