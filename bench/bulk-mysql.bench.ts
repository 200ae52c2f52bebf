// Bulk sync MySQL/MariaDB → PostgreSQL: 1,000,000 rows (mixed types, primary key) copied by Ferry, against the
// plain pipe measured in the same run:
//   mysql --batch --quick -e "select …" | psql -c "COPY t FROM STDIN (FORMAT text)"
// into an identical empty table. Ferry runs twice: the engine alone in a child process, and end to end through a
// real server (the sync created and its execution POSTed and polled through the API). Goal: end to end ≥ 0.8 of
// the pipe's rows/s, peak RSS < 300 MB. BENCH_BULK_ROWS overrides the row count; BENCH_CPU_PROF_DIR=<dir> makes the
// engine's child and the server write a .cpuprofile there (bench/lib/cpu-profile-summary.ts reads it).
// Ferry runs once per count of parallel key ranges in BENCH_BULK_RANGES (default 1,2,4; 1 is one stream), the engine
// and end to end alike (the server with FERRY_BULK_RANGES=<n>); the table is split whatever its size.
import { spawn, fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type ScratchDatabase,
} from '../test/kit/services.ts';
import type { CopyChildReport, CopyChildRequest } from './bulk/ferry-copy-child.ts';
import { copyThroughServer, mysqlConnectionOf, postgresConnectionOf, printPhases } from './bulk/ferry-end-to-end.ts';
import { printGoals } from './lib/goal.ts';
import { startPeakRssSampler } from './lib/peak-rss.ts';
import { type MeasuredCopy, postgresQuery, printCopies, rowsPerSecond } from './lib/measured-copy.ts';
import { formatRatio, ratio } from './lib/ratio.ts';
import { formatCount } from './lib/result-table.ts';

const rowCount = Number(process.env.BENCH_BULK_ROWS ?? 1_000_000);

const mysqlColumns = `id bigint primary key, name varchar(64) not null, amount decimal(14,2), ratio double, qty int,
  active tinyint(1), created_at datetime(6), updated_at datetime(6), day date, doc json, note varchar(96)`;
const postgresColumns = `id bigint primary key, name text not null, amount numeric(14,2), ratio double precision,
  qty integer, active boolean, created_at timestamp, updated_at timestamp, day date, doc jsonb, note text`;
const columnList = 'id, name, amount, ratio, qty, active, created_at, updated_at, day, doc, note';

/** Rows made by MariaDB's sequence engine, so generating a million rows costs one statement. */
async function fillSource(database: ScratchDatabase): Promise<void> {
  const connection = await mysql.createConnection(database.url);
  try {
    await connection.query(`create table bench (${mysqlColumns})`);
    await connection.query(
      `insert into bench select seq, concat('name ', seq), seq * 1.5, seq / 3, seq % 1000, seq % 2,
         timestamp '2026-01-01 00:00:00' + interval seq second, timestamp '2026-06-01 00:00:00' + interval seq second,
         date '2026-01-01' + interval (seq % 365) day, json_object('i', seq, 'tag', concat('t', seq % 10)),
         repeat('x', 96)
       from seq_1_to_${rowCount}`,
    );
  } finally {
    await connection.end();
  }
}

async function baseline(
  source: ScratchDatabase,
  destination: ScratchDatabase,
  table = 'bench_baseline',
): Promise<MeasuredCopy> {
  const url = new URL(source.url);
  const started = performance.now();
  const reader = spawn(
    'mysql',
    [
      '--batch',
      '--quick',
      '--skip-column-names',
      '-h',
      url.hostname,
      '-P',
      url.port || '3306',
      '-u',
      decodeURIComponent(url.username),
      source.name,
      '-e',
      `select ${columnList} from bench`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const writer = spawn(
    'psql',
    ['-X', '-q', '-d', destination.url, '-c', `COPY ${table} (${columnList}) FROM STDIN (FORMAT text)`],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const samplers = [startPeakRssSampler(reader.pid!, 50), startPeakRssSampler(writer.pid!, 50)];
  reader.stdout.pipe(writer.stdin);
  const exits = [once(reader, 'exit'), once(writer, 'exit')];
  await once(reader.stdout, 'end');
  let peak = samplers[0]!.stop() ?? 0;
  const [[readerCode], [writerCode]] = await Promise.all(exits);
  peak += samplers[1]!.stop() ?? 0;
  const seconds = (performance.now() - started) / 1000;
  if (readerCode !== 0 || writerCode !== 0)
    throw new Error(`mysql | psql baseline failed (${readerCode}, ${writerCode})`);
  const { rows } = await postgresQuery(destination, `select count(*)::int as count from ${table}`);
  return { name: 'mysql --batch --quick | psql COPY text', seconds, rows: rows[0].count, peakRss: peak || undefined };
}

const rangeCounts = (process.env.BENCH_BULK_RANGES ?? '1,2,4').split(',').map(Number);

async function engineOnly(
  source: ScratchDatabase,
  destination: ScratchDatabase,
  ranges: number,
  outputName: string,
): Promise<MeasuredCopy> {
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const child = fork(fileURLToPath(new URL('./bulk/ferry-copy-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request: CopyChildRequest = {
    source: mysqlConnectionOf(source),
    destination: postgresConnectionOf(destination),
    schemaId: `${source.name}.bench`,
    outputName,
    ranges,
  };
  child.send(request);
  const [report] = (await once(child, 'message')) as [CopyChildReport];
  await once(child, 'exit');
  if (report.status !== 'completed') throw new Error(`Ferry's copy ${report.status}: ${report.error}`);
  const streams = ranges === 1 ? 'one stream' : `${ranges} ranges`;
  return {
    name: `Ferry engine, ${streams} (CPU ${report.cpuSeconds.toFixed(1)} s)`,
    detail: report.path,
    seconds: report.seconds,
    rows: report.rows,
    peakRss: report.peakRss,
  };
}

async function endToEnd(source: ScratchDatabase, destination: ScratchDatabase, ranges: number, schema: string) {
  await postgresQuery(destination, `create schema ${schema}`);
  const result = await copyThroughServer(
    mysqlConnectionOf(source),
    postgresConnectionOf(destination),
    `${source.name}.bench`,
    schema,
    { FERRY_BULK_RANGES: String(ranges), FERRY_BULK_SPLIT_ROWS: '1' },
  );
  const copy: MeasuredCopy = {
    name: `Ferry end to end (API, queue, worker), ${ranges === 1 ? 'one stream' : `${ranges} ranges`}`,
    detail: result.path,
    seconds: result.seconds,
    rows: result.rows,
    peakRss: result.peakRss,
  };
  return { result, copy, table: `${schema}.bench` };
}

async function main(): Promise<void> {
  const unavailable = (await mysqlUnavailable()) ?? (await postgresUnavailable());
  if (unavailable) {
    console.log(`mysql bulk bench skipped: ${unavailable}`);
    return;
  }
  const [source, destination] = await Promise.all([
    createMysqlDatabase('ferry_bench_my'),
    createPostgresDatabase('ferry_bench_mydst'),
  ]);
  try {
    await fillSource(source);
    await postgresQuery(
      destination,
      `create table bench_baseline (${postgresColumns}); create table bench_baseline_after (${postgresColumns})`,
    );
    console.log(
      `${formatCount(rowCount)} rows in MariaDB; load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
    );
    const base = await baseline(source, destination);
    const engines: MeasuredCopy[] = [];
    const servers: Awaited<ReturnType<typeof endToEnd>>[] = [];
    // A count may be listed twice (1,2,4,4,2,1) to see the noise; each run copies into a table of its own.
    for (const [index, ranges] of rangeCounts.entries()) {
      engines.push(await engineOnly(source, destination, ranges, `bench_ferry_${index}`));
      servers.push(await endToEnd(source, destination, ranges, `e2e_${index}`));
    }
    for (const table of [
      ...rangeCounts.map((_, index) => `bench_ferry_${index}`),
      ...servers.map((run) => run.table),
    ]) {
      const { rows } = await postgresQuery(
        destination,
        `select count(*)::int as count, count(distinct id)::int as keys from ${table}`,
      );
      if (rows[0].count !== rowCount || rows[0].keys !== rowCount)
        throw new Error(`${table} holds ${rows[0].count} rows (${rows[0].keys} keys), expected ${rowCount}`);
    }
    // A second pipe after the Ferry runs: how far the machine's speed moved during the run.
    const baseAfter = await baseline(source, destination, 'bench_baseline_after');
    console.log(
      `load average after: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
    );
    printCopies(`MySQL/MariaDB → PostgreSQL, ${formatCount(rowCount)} rows`, base, [
      base,
      ...engines,
      ...servers.map((run) => run.copy),
      { ...baseAfter, name: `${baseAfter.name} (again, after)` },
    ]);
    printPhases(servers.at(-1)!.result);
    const best = servers.reduce((fastest, run) => (run.copy.seconds < fastest.copy.seconds ? run : fastest));
    const speed = ratio(rowsPerSecond(best.copy), rowsPerSecond(base));
    const peak = Math.max(
      ...engines.map((engine) => engine.peakRss ?? Number.POSITIVE_INFINITY),
      ...servers.map((run) => run.copy.peakRss ?? Number.POSITIVE_INFINITY),
    );
    printGoals([
      {
        name: 'end-to-end throughput',
        met: speed >= 0.8,
        detail: `${formatRatio(speed)} of mysql | psql (goal ≥ 0.80), ${best.copy.name}`,
      },
      { name: 'memory', met: peak < 300e6, detail: `peak RSS ${(peak / 1e6).toFixed(0)} MB (goal < 300 MB)` },
    ]);
  } finally {
    await Promise.all([source.drop(), destination.drop()]);
  }
}

await main();
