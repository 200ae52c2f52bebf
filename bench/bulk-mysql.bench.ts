// Bulk sync MySQL/MariaDB → PostgreSQL: 1,000,000 rows (mixed types, primary key) copied by Ferry, against the
// plain pipe measured in the same run:
//   mysql --batch --quick -e "select …" | psql -c "COPY t FROM STDIN (FORMAT text)"
// into an identical empty table. Ferry runs twice: the engine alone in a child process, and end to end through a
// real server (the sync created and its execution POSTed and polled through the API). Goal: end to end ≥ 0.8 of
// the pipe's rows/s, peak RSS < 300 MB. BENCH_BULK_ROWS overrides the row count; BENCH_CPU_PROF_DIR=<dir> makes the
// engine's child and the server write a .cpuprofile there (bench/lib/cpu-profile-summary.ts reads it).
// A third engine run copies the same rows as two tables, the key's lower and upper half, at once in one execution:
// what two key ranges of one MySQL table would give in one process, the question of whether ranges help here.
import { spawn, fork } from 'node:child_process';
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

async function baseline(source: ScratchDatabase, destination: ScratchDatabase): Promise<MeasuredCopy> {
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
    ['-X', '-q', '-d', destination.url, '-c', `COPY bench_baseline (${columnList}) FROM STDIN (FORMAT text)`],
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
  const { rows } = await postgresQuery(destination, 'select count(*)::int as count from bench_baseline');
  return { name: 'mysql --batch --quick | psql COPY text', seconds, rows: rows[0].count, peakRss: peak || undefined };
}

/** The table's lower and upper key halves as tables of their own, for the two-ranges-at-once run. */
async function splitSource(database: ScratchDatabase): Promise<void> {
  const connection = await mysql.createConnection(database.url);
  try {
    const half = Math.floor(rowCount / 2);
    await connection.query(`create table bench_lo (${mysqlColumns})`);
    await connection.query(`create table bench_hi (${mysqlColumns})`);
    await connection.query(`insert into bench_lo select * from bench where id <= ${half}`);
    await connection.query(`insert into bench_hi select * from bench where id > ${half}`);
  } finally {
    await connection.end();
  }
}

async function engineOnly(
  source: ScratchDatabase,
  destination: ScratchDatabase,
  halves = false,
): Promise<MeasuredCopy> {
  const profile = process.env.BENCH_CPU_PROF_DIR;
  const child = fork(fileURLToPath(new URL('./bulk/ferry-copy-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request: CopyChildRequest = {
    source: mysqlConnectionOf(source),
    destination: postgresConnectionOf(destination),
    schemaId: halves ? `${source.name}.bench_lo` : `${source.name}.bench`,
    outputName: halves ? 'bench_ferry_lo' : 'bench_ferry',
    ranges: 1,
    ...(halves ? { alongside: [{ schemaId: `${source.name}.bench_hi`, outputName: 'bench_ferry_hi' }] } : {}),
  };
  child.send(request);
  const [report] = (await once(child, 'message')) as [CopyChildReport];
  await once(child, 'exit');
  if (report.status !== 'completed') throw new Error(`Ferry's copy ${report.status}: ${report.error}`);
  console.log(`Ferry engine CPU: ${report.cpuSeconds.toFixed(2)} s for ${report.seconds.toFixed(2)} s of wall time`);
  return {
    name: halves ? 'Ferry bulk sync (engine, the two key halves at once)' : `Ferry bulk sync (engine, ${report.path})`,
    seconds: report.seconds,
    rows: report.rows,
    peakRss: report.peakRss,
  };
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
    await postgresQuery(destination, `create table bench_baseline (${postgresColumns}); create schema e2e`);
    console.log(`${formatCount(rowCount)} rows in MariaDB`);
    const base = await baseline(source, destination);
    const engine = await engineOnly(source, destination);
    await splitSource(source);
    const halves = await engineOnly(source, destination, true);
    const throughServer = await copyThroughServer(
      mysqlConnectionOf(source),
      postgresConnectionOf(destination),
      `${source.name}.bench`,
      'e2e',
    );
    const endToEnd: MeasuredCopy = {
      name: 'Ferry bulk sync (end to end: API, queue, worker)',
      seconds: throughServer.seconds,
      rows: throughServer.rows,
      peakRss: throughServer.peakRss,
    };
    for (const table of [
      'bench_ferry',
      '(select id from bench_ferry_lo union all select id from bench_ferry_hi) t',
      'e2e.bench',
    ]) {
      const { rows } = await postgresQuery(destination, `select count(*)::int as count from ${table}`);
      if (rows[0].count !== rowCount) throw new Error(`${table} holds ${rows[0].count} rows, expected ${rowCount}`);
    }
    printCopies(`MySQL/MariaDB → PostgreSQL, ${formatCount(rowCount)} rows`, base, [base, engine, halves, endToEnd]);
    printPhases(throughServer);
    const speed = ratio(rowsPerSecond(endToEnd), rowsPerSecond(base));
    const peak = Math.max(engine.peakRss ?? Number.POSITIVE_INFINITY, endToEnd.peakRss ?? Number.POSITIVE_INFINITY);
    printGoals([
      {
        name: 'end-to-end throughput',
        met: speed >= 0.8,
        detail: `${formatRatio(speed)} of mysql | psql (goal ≥ 0.80)`,
      },
      { name: 'memory', met: peak < 300e6, detail: `peak RSS ${(peak / 1e6).toFixed(0)} MB (goal < 300 MB)` },
    ]);
  } finally {
    await Promise.all([source.drop(), destination.drop()]);
  }
}

await main();
