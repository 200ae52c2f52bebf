// Change capture under a steady load, PostgreSQL → PostgreSQL against PostgreSQL's own logical replication in the
// same run and under the same load, then MariaDB → PostgreSQL (no native baseline exists for that pair). One source
// table receives BENCH_CDC_RATE (default 1,000) row changes a second (30 % inserts, 50 % updates, 20 % deletes, in 10
// transactions a second) for BENCH_CDC_SECONDS (default 60). Ferry's engine streams it continuously (in this process,
// memory stores) into `ferry.items` (`from_mariadb.items`) of the destination database; a native subscription
// (CREATE SUBSCRIPTION, its slot made apart with pg_create_logical_replication_slot because a subscription in the
// same cluster cannot create its own) into `public.items` of the same database. Each source insert and update stamps
// `changed_at` with the source's clock; an AFTER trigger on each destination table logs the lag from the source
// write to the destination write (bench/cdc/lag-log.ts), p50/p95/p99. Then, on the same running streams, the stepped
// search for the highest sustained rate (bench/cdc/rate-search.ts says what sustained means): BENCH_CDC_STEP_RATES
// (default 1000,2000,4000,8000,16000) for BENCH_CDC_STEP_SECONDS (default 10) each, stopping at the first step no
// consumer sustains; BENCH_CDC_STEP_SECONDS=0 skips it. Then, for PostgreSQL, one source transaction of
// BENCH_CDC_BIG_ROWS (default 1,000,000) inserts, streamed with stopAtCurrent, for Ferry's peak RSS and time.
// BENCH_CDC_SOURCES (default postgresql,mariadb) picks the sources. Goal: p99 under 2 s.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createMysqlConnector } from '../src/connectors/mysql/mysql-connector.ts';
import { createPostgresConnector } from '../src/connectors/postgres/postgres-connector.ts';
import type { Connection } from '../src/connectors/connector.ts';
import { runBulkSync } from '../src/engine/bulk/bulk-sync-runner.ts';
import type { BulkSyncPlan } from '../src/engine/bulk/bulk-sync-plan.ts';
import { changeStreamIdOf } from '../src/engine/bulk/change-stream-id.ts';
import { createMemoryCheckpointStore } from '../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog } from '../src/engine/memory-console-log.ts';
import { silentLogger } from '../src/domain/run-context.ts';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresAdminUrl,
  postgresUnavailable,
  type ScratchDatabase,
} from '../test/kit/services.ts';
import { type GoalCheck, printGoals } from './lib/goal.ts';
import { formatCount, printTable } from './lib/result-table.ts';
import { type ChangeLoad, mariadbChangeLoad, postgresChangeLoad, runLoad } from './cdc/change-load.ts';
import { type LagFigures, lagPercentiles, lagTrigger } from './cdc/lag-log.ts';
import {
  type Consumer,
  highestSustained,
  printSteps,
  printSustainedDefinition,
  searchSustainedRate,
  waitForMarker,
} from './cdc/rate-search.ts';

const seconds = Number(process.env.BENCH_CDC_SECONDS ?? 60);
const rate = Number(process.env.BENCH_CDC_RATE ?? 1000);
const bigRows = Number(process.env.BENCH_CDC_BIG_ROWS ?? 1_000_000);
const stepSeconds = Number(process.env.BENCH_CDC_STEP_SECONDS ?? 10);
const stepRates = (process.env.BENCH_CDC_STEP_RATES ?? '1000,2000,4000,8000,16000').split(',').map(Number);
const sources = (process.env.BENCH_CDC_SOURCES ?? 'postgresql,mariadb').split(',');
const initialRows = 100_000;
const syncId = '00000000-0000-4000-8000-00000000bec0';
const mariadbSyncId = '00000000-0000-4000-8000-00000000bec1';
const ms = (value: number) => `${Math.round(value)} ms`;

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

function printLag(rows: Array<{ name: string } & LagFigures>): void {
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
    rows,
  );
}

function printLoad(committed: number, loadSeconds: number): void {
  console.log(
    `load: ${formatCount(committed)} row changes in ${loadSeconds.toFixed(1)} s (${formatCount(Math.round(committed / loadSeconds))}/s)`,
  );
}

/** Ferry's continuous stream of one source, run by the engine in this process until `stop()`. */
function ferryStream(options: {
  syncId: string;
  source: Connection;
  destination: Connection;
  namespace: string;
  schemaId: string;
}) {
  const checkpoints = createMemoryCheckpointStore();
  const consoleLog = createMemoryConsoleLog();
  const controller = new AbortController();
  let executions = 0;
  const plan = (continuous: boolean): BulkSyncPlan => ({
    syncId: options.syncId,
    executionId: `bench-${++executions}`,
    executionTimestamp: new Date().toISOString(),
    source: options.source,
    destination: options.destination,
    destinationNamespace: options.namespace,
    mode: 'replicate',
    schemas: [{ schemaId: options.schemaId }],
    sourceConnectionId: 'bench',
    continuous,
  });
  const context = () => ({ signal: controller.signal, log: silentLogger, heartbeat() {} });
  let streaming: Promise<unknown> | undefined;
  return {
    /** The snapshot copy (the first run). */
    async snapshot() {
      const result = await runBulkSync(context(), plan(false), { checkpoints, consoleLog });
      if (result.status !== 'completed') throw new Error(`snapshot: ${result.error?.message}`);
    },
    start() {
      streaming = runBulkSync(context(), plan(true), { checkpoints, consoleLog, statusIntervalMs: 60_000 });
    },
    async stop() {
      controller.abort();
      await streaming;
    },
    /** One run to the source's current end, after stop(). */
    runToEnd: () =>
      runBulkSync({ signal: new AbortController().signal, log: silentLogger, heartbeat() {} }, plan(false), {
        checkpoints,
        consoleLog,
      }),
    drop: () =>
      options.source.changeCapture
        ?.drop(
          { signal: new AbortController().signal, log: silentLogger, heartbeat() {} },
          changeStreamIdOf(options.syncId),
        )
        .catch(() => {}),
  };
}

async function steps(title: string, load: ChangeLoad, destination: pg.Pool, consumers: Consumer[], goals: GoalCheck[]) {
  if (stepSeconds <= 0) return;
  console.log('');
  printSustainedDefinition(stepSeconds);
  const found = await searchSustainedRate({
    load,
    destination,
    consumers,
    rates: stepRates,
    stepSeconds,
    firstMarker: -10,
  });
  printSteps(title, found);
  for (const consumer of consumers) {
    const highest = highestSustained(found, consumer.name);
    console.log(
      `highest sustained rate, ${consumer.name}: ${highest === undefined ? 'none of the steps' : `${formatCount(highest)} changes/s`}${found.length === stepRates.length && highest === stepRates.at(-1) ? ' (the highest step; raise BENCH_CDC_STEP_RATES)' : ''}`,
    );
    if (consumer.name.startsWith('Ferry'))
      goals.push({
        name: `${consumer.name} sustains ${formatCount(stepRates[0]!)} changes/s`,
        met: highest !== undefined,
        detail: highest === undefined ? 'no step sustained' : `up to ${formatCount(highest)}/s`,
      });
  }
}

async function postgresScenario(goals: GoalCheck[]): Promise<void> {
  const source = await createPostgresDatabase('ferry_bench_cdc_src');
  const destination = await createPostgresDatabase('ferry_bench_cdc_dst');
  const sourceSql = new pg.Pool({ connectionString: source.url, max: 3 });
  const destinationSql = new pg.Pool({ connectionString: destination.url, max: 3 });
  const connector = createPostgresConnector();
  const sourceConnection = connector.open({ ...configurationOf(source), change_detection: true });
  const destinationConnection = connector.open(configurationOf(destination));
  const nativeSlot = `native_${source.name}`.slice(0, 63);
  const ferry = ferryStream({
    syncId,
    source: sourceConnection,
    destination: destinationConnection,
    namespace: 'ferry',
    schemaId: 'public.items',
  });
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

    await ferry.snapshot();
    await destinationSql.query(lagTrigger('ferry'));
    for (;;) {
      const { rows } = await destinationSql.query<{ n: number }>(
        "select count(*)::int as n from pg_subscription_rel where srsubstate <> 'r'",
      );
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await destinationSql.query('truncate public.lag_log, ferry.lag_log');

    ferry.start();
    const load = postgresChangeLoad(sourceSql, initialRows);
    const { committed, seconds: loadSeconds } = await runLoad(load, rate, seconds);
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
    const ferryLag = await lagPercentiles(destinationSql, 'ferry');
    const nativeLag = await lagPercentiles(destinationSql, 'public');
    console.log('\nPostgreSQL → PostgreSQL, steady load');
    printLoad(committed, loadSeconds);
    printLag([
      { name: 'Ferry (engine, continuous)', ...ferryLag },
      { name: 'PostgreSQL subscription', ...nativeLag },
    ]);

    // The stepped search on the same running streams.
    await steps(
      'PostgreSQL → PostgreSQL: stepped rates',
      load,
      destinationSql,
      [
        { name: 'Ferry (engine, continuous)', schema: 'ferry' },
        { name: 'PostgreSQL subscription', schema: 'public' },
      ],
      goals,
    );
    await ferry.stop();

    // One large source transaction, streamed to its end: memory must not grow with it.
    await destinationSql.query('alter subscription native_sub disable');
    const nextId = load.nextId();
    await sourceSql.query(
      `insert into items select i, 'big', 0, null from generate_series(${nextId}, ${nextId + bigRows - 1}) i`,
    );
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const bigStarted = Date.now();
    const big = await ferry.runToEnd();
    clearInterval(sampler);
    const bigSeconds = (Date.now() - bigStarted) / 1000;

    console.log(
      `one ${formatCount(bigRows)}-row transaction: ${big.status} in ${bigSeconds.toFixed(1)} s (${formatCount(Math.round(bigRows / bigSeconds))} rows/s), RSS ${Math.round(before / 2 ** 20)} MB before, peak ${Math.round(peak / 2 ** 20)} MB`,
    );
    goals.unshift(
      { name: 'Ferry p99 lag under 2 s at the load', met: ferryLag.p99 < 2000, detail: ms(ferryLag.p99) },
      { name: 'the large transaction completes', met: big.status === 'completed', detail: big.status },
    );
  } finally {
    await ferry.stop().catch(() => {});
    await ferry.drop();
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

async function mariadbScenario(goals: GoalCheck[]): Promise<void> {
  const source = await createMysqlDatabase('ferry_bench_cdc_src');
  const destination = await createPostgresDatabase('ferry_bench_cdc_dst');
  const sourceSql = mysql.createPool({ uri: source.url, multipleStatements: true, connectionLimit: 2 });
  const destinationSql = new pg.Pool({ connectionString: destination.url, max: 3 });
  const url = new URL(source.url);
  const sourceConnection = createMysqlConnector().open({
    hostname: url.hostname,
    port: Number(url.port || 3306),
    account: decodeURIComponent(url.username),
    passwd: decodeURIComponent(url.password),
    dbname: source.name,
    ssl: false,
    change_detection: true,
  });
  const destinationConnection = createPostgresConnector().open(configurationOf(destination));
  const ferry = ferryStream({
    syncId: mariadbSyncId,
    source: sourceConnection,
    destination: destinationConnection,
    namespace: 'from_mariadb',
    schemaId: `${source.name}.items`,
  });
  try {
    // TIMESTAMP is an instant (UTC in the binlog): its destination column is timestamptz, as the trigger needs.
    await sourceSql.query(`create table items (id int primary key, v varchar(64), n int,
        changed_at timestamp(6) null default null);
      insert into items select seq, md5(seq), 0, null from seq_1_to_${initialRows}`);
    await ferry.snapshot();
    await destinationSql.query(lagTrigger('from_mariadb'));
    ferry.start();
    const load = mariadbChangeLoad(sourceSql, initialRows);
    const { committed, seconds: loadSeconds } = await runLoad(load, rate, seconds);
    await load.marker(-1);
    if (!(await waitForMarker(destinationSql, 'from_mariadb', -1, 300_000)))
      console.log('Ferry had not caught up 300 s after the load: the figures leave out what had not arrived');
    const ferryLag = await lagPercentiles(destinationSql, 'from_mariadb');
    console.log('\nMariaDB → PostgreSQL, steady load (no native baseline: PostgreSQL cannot subscribe to a binlog)');
    printLoad(committed, loadSeconds);
    printLag([{ name: 'Ferry (engine, continuous)', ...ferryLag }]);
    goals.push({
      name: 'Ferry p99 lag under 2 s at the load, from MariaDB',
      met: ferryLag.p99 < 2000,
      detail: ms(ferryLag.p99),
    });
    await steps(
      'MariaDB → PostgreSQL: stepped rates (no native baseline)',
      load,
      destinationSql,
      [{ name: 'Ferry from MariaDB', schema: 'from_mariadb' }],
      goals,
    );
  } finally {
    await ferry.stop().catch(() => {});
    await ferry.drop();
    await sourceConnection.close();
    await destinationConnection.close();
    await sourceSql.end();
    await destinationSql.end();
    await source.drop();
    await destination.drop();
  }
}

async function main(): Promise<void> {
  const goals: GoalCheck[] = [];
  const postgresMissing = await postgresUnavailable();
  if (postgresMissing) {
    console.log(`skipped: ${postgresMissing}`);
    return;
  }
  if (sources.includes('postgresql')) await postgresScenario(goals);
  if (sources.includes('mariadb')) {
    const mariadbMissing = await mysqlUnavailable();
    if (mariadbMissing) console.log(`MariaDB → PostgreSQL skipped: ${mariadbMissing}`);
    else await mariadbScenario(goals);
  }
  printGoals(goals);
}

await main();
