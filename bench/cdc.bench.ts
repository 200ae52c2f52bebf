// Change capture PostgreSQL → PostgreSQL under a steady load, against PostgreSQL's own logical replication in the
// same run and under the same load. One source table receives BENCH_CDC_RATE (default 1,000) row changes a second
// (30 % inserts, 50 % updates, 20 % deletes, in 10 transactions a second) for BENCH_CDC_SECONDS (default 60). Ferry's
// engine streams it continuously (in this process, memory stores) into `ferry.items` of the destination database; a
// native subscription (CREATE SUBSCRIPTION, its slot made apart with pg_create_logical_replication_slot because a
// subscription in the same cluster cannot create its own) into `public.items` of the same database. Each source
// insert and update stamps `changed_at = clock_timestamp()`; an AFTER trigger on each destination table (ENABLE
// ALWAYS, so it fires for the subscription's apply too) logs `clock_timestamp() - changed_at` of every row it receives: the lag
// from the source write to the destination write, p50/p95/p99. Then one source transaction of BENCH_CDC_BIG_ROWS
// (default 1,000,000) inserts, streamed with stopAtCurrent, for Ferry's peak RSS and time. Goal: p99 under 2 s.
import pg from 'pg';
import { createPostgresConnector } from '../src/connectors/postgres/postgres-connector.ts';
import { runBulkSync } from '../src/engine/bulk/bulk-sync-runner.ts';
import type { BulkSyncPlan } from '../src/engine/bulk/bulk-sync-plan.ts';
import { changeStreamIdOf } from '../src/engine/bulk/change-stream-id.ts';
import { createMemoryCheckpointStore } from '../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog } from '../src/engine/memory-console-log.ts';
import { silentLogger } from '../src/domain/run-context.ts';
import {
  createPostgresDatabase,
  postgresAdminUrl,
  postgresUnavailable,
  type ScratchDatabase,
} from '../test/kit/services.ts';
import { printGoals } from './lib/goal.ts';
import { formatCount, printTable } from './lib/result-table.ts';

const seconds = Number(process.env.BENCH_CDC_SECONDS ?? 60);
const rate = Number(process.env.BENCH_CDC_RATE ?? 1000);
const bigRows = Number(process.env.BENCH_CDC_BIG_ROWS ?? 1_000_000);
const initialRows = 100_000;

const lagTrigger = (schema: string) => `
  create table ${schema}.lag_log (lag_ms double precision not null);
  create function ${schema}.log_lag() returns trigger language plpgsql as $$
  begin
    if new.changed_at is not null then
      insert into ${schema}.lag_log values (extract(epoch from clock_timestamp() - new.changed_at) * 1000);
    end if;
    return null;
  end $$;
  create trigger log_lag after insert or update on ${schema}.items for each row execute function ${schema}.log_lag();
  alter table ${schema}.items enable always trigger log_lag;`;

function configurationOf(database: ScratchDatabase): Record<string, unknown> {
  return {
    hostname: '127.0.0.1',
    port: 5432,
    database: database.name,
    username: 'postgres',
    password: 'x',
    ssl: false,
  };
}

async function percentiles(pool: pg.Pool, schema: string) {
  const { rows } = await pool.query<{ n: number; p50: number; p95: number; p99: number; max: number }>(
    `select count(*)::int as n, percentile_cont(0.5) within group (order by lag_ms) as p50,
            percentile_cont(0.95) within group (order by lag_ms) as p95,
            percentile_cont(0.99) within group (order by lag_ms) as p99, max(lag_ms) as max from ${schema}.lag_log`,
  );
  return rows[0]!;
}

async function main(): Promise<void> {
  const unavailable = await postgresUnavailable();
  if (unavailable) {
    console.log(`skipped: ${unavailable}`);
    return;
  }
  const source = await createPostgresDatabase('ferry_bench_cdc_src');
  const destination = await createPostgresDatabase('ferry_bench_cdc_dst');
  const sourceSql = new pg.Pool({ connectionString: source.url, max: 3 });
  const destinationSql = new pg.Pool({ connectionString: destination.url, max: 3 });
  const connector = createPostgresConnector();
  const sourceConnection = connector.open({ ...configurationOf(source), change_detection: true });
  const destinationConnection = connector.open(configurationOf(destination));
  const nativeSlot = `native_${source.name}`.slice(0, 63);
  const controller = new AbortController();
  try {
    await sourceSql.query(`create table items (id int primary key, v text, n int, changed_at timestamptz);
      insert into items select i, md5(i::text), 0, null from generate_series(1, ${initialRows}) i;
      create publication native_pub for table items`);
    // The baseline: a subscription in the same cluster, its slot made apart.
    await sourceSql.query(`select pg_create_logical_replication_slot('${nativeSlot}', 'pgoutput')`);
    await destinationSql.query(`create table public.items (id int primary key, v text, n int, changed_at timestamptz);
      ${lagTrigger('public')}
      create subscription native_sub connection 'host=127.0.0.1 port=5432 user=postgres dbname=${source.name}'
        publication native_pub with (create_slot = false, slot_name = '${nativeSlot}', copy_data = true)`);

    const checkpoints = createMemoryCheckpointStore();
    const consoleLog = createMemoryConsoleLog();
    let executions = 0;
    const plan = (continuous: boolean): BulkSyncPlan => ({
      syncId: '00000000-0000-4000-8000-00000000bec0',
      executionId: `bench-${++executions}`,
      executionTimestamp: new Date().toISOString(),
      source: sourceConnection,
      destination: destinationConnection,
      destinationNamespace: 'ferry',
      mode: 'replicate',
      schemas: [{ schemaId: 'public.items' }],
      sourceConnectionId: 'bench',
      continuous,
    });
    const context = { signal: controller.signal, log: silentLogger, heartbeat() {} };
    const snapshot = await runBulkSync(context, plan(false), { checkpoints, consoleLog });
    if (snapshot.status !== 'completed') throw new Error(`snapshot: ${snapshot.error?.message}`);
    await destinationSql.query(lagTrigger('ferry'));
    for (;;) {
      const { rows } = await destinationSql.query<{ n: number }>(
        "select count(*)::int as n from pg_subscription_rel where srsubstate <> 'r'",
      );
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await destinationSql.query('truncate public.lag_log, ferry.lag_log');

    const streaming = runBulkSync(context, plan(true), { checkpoints, consoleLog, statusIntervalMs: 60_000 });
    // The load: 10 transactions a second, each rate/10 row changes.
    const perTransaction = Math.max(10, Math.round(rate / 10));
    const inserts = Math.round(perTransaction * 0.3);
    const updates = Math.round(perTransaction * 0.5);
    const deletes = perTransaction - inserts - updates;
    let nextId = initialRows + 1;
    let committed = 0;
    const started = Date.now();
    for (let tick = 0; tick < seconds * 10; tick += 1) {
      const due = started + tick * 100;
      if (Date.now() < due) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      await sourceSql.query(`begin;
        insert into items select i, 'new', 0, clock_timestamp() from generate_series(${nextId}, ${nextId + inserts - 1}) i;
        update items set n = n + 1, changed_at = clock_timestamp()
          where id in (select id from items tablesample system (1) limit ${updates});
        delete from items where id in (select id from items tablesample system (1) limit ${deletes});
        commit`);
      nextId += inserts;
      committed += perTransaction;
    }
    const loadSeconds = (Date.now() - started) / 1000;
    // Both consumers catch up before the figures are read.
    for (let wait = 0; wait < 300; wait += 1) {
      const { rows } = await destinationSql.query<{ same: boolean }>(
        'select (select count(*) from public.items) = (select count(*) from ferry.items) as same',
      );
      const { rows: sourceCount } = await sourceSql.query<{ n: number }>('select count(*)::int as n from items');
      const { rows: ferryCount } = await destinationSql.query<{ n: number }>(
        'select count(*)::int as n from ferry.items',
      );
      if (rows[0]!.same && ferryCount[0]!.n === sourceCount[0]!.n) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const ferryLag = await percentiles(destinationSql, 'ferry');
    const nativeLag = await percentiles(destinationSql, 'public');
    controller.abort();
    await streaming;

    // One large source transaction, streamed to its end: memory must not grow with it.
    await destinationSql.query('alter subscription native_sub disable');
    await sourceSql.query(
      `insert into items select i, 'big', 0, null from generate_series(${nextId}, ${nextId + bigRows - 1}) i`,
    );
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const bigStarted = Date.now();
    const big = await runBulkSync(
      { signal: new AbortController().signal, log: silentLogger, heartbeat() {} },
      plan(false),
      { checkpoints, consoleLog },
    );
    clearInterval(sampler);
    const bigSeconds = (Date.now() - bigStarted) / 1000;

    const ms = (value: number) => `${Math.round(value)} ms`;
    console.log(
      `load: ${formatCount(committed)} row changes in ${loadSeconds.toFixed(1)} s (${formatCount(Math.round(committed / loadSeconds))}/s)`,
    );
    const lagRows = [
      { name: 'Ferry (engine, continuous)', ...ferryLag },
      { name: 'PostgreSQL subscription', ...nativeLag },
    ];
    printTable(
      'Lag from source write to destination write',
      [
        { header: 'consumer', cell: (row) => row.name },
        { header: 'rows timed', cell: (row) => formatCount(row.n), align: 'right' },
        { header: 'p50', cell: (row) => ms(row.p50), align: 'right' },
        { header: 'p95', cell: (row) => ms(row.p95), align: 'right' },
        { header: 'p99', cell: (row) => ms(row.p99), align: 'right' },
        { header: 'max', cell: (row) => ms(row.max), align: 'right' },
      ],
      lagRows,
    );
    console.log(
      `one ${formatCount(bigRows)}-row transaction: ${big.status} in ${bigSeconds.toFixed(1)} s (${formatCount(Math.round(bigRows / bigSeconds))} rows/s), RSS ${Math.round(before / 2 ** 20)} MB before, peak ${Math.round(peak / 2 ** 20)} MB`,
    );
    printGoals([
      { name: 'Ferry p99 lag under 2 s at the load', met: ferryLag.p99 < 2000, detail: ms(ferryLag.p99) },
      { name: 'the large transaction completes', met: big.status === 'completed', detail: big.status },
    ]);
  } finally {
    controller.abort();
    await sourceConnection.changeCapture
      ?.drop(
        { signal: new AbortController().signal, log: silentLogger, heartbeat() {} },
        changeStreamIdOf('00000000-0000-4000-8000-00000000bec0'),
      )
      .catch(() => {});
    await destinationSql
      .query(`alter subscription native_sub disable; alter subscription native_sub set (slot_name = none);
        drop subscription native_sub`)
      .catch((error: unknown) => console.error('dropping the subscription failed', error));
    await sourceConnection.close();
    await destinationConnection.close();
    await sourceSql.end();
    await destinationSql.end();
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ slot_name: string; active_pid: number | null }>(
        'select slot_name, active_pid from pg_replication_slots where database = $1',
        [source.name],
      );
      for (const row of rows) {
        if (row.active_pid !== null) await admin.query('select pg_terminate_backend($1)', [row.active_pid]);
        await admin.query('select pg_drop_replication_slot($1)', [row.slot_name]).catch(() => {});
      }
    } finally {
      await admin.end();
    }
    await source.drop();
    await destination.drop();
  }
}

await main();
