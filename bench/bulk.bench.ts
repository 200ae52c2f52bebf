// Bulk sync PostgreSQL → PostgreSQL: 1,000,000 rows (~300 bytes each, mixed types, primary key) copied
// by the engine, against the fastest plain copy PostgreSQL offers measured in the same run:
//   psql -c "COPY t TO STDOUT (FORMAT binary)" | psql -c "COPY t FROM STDIN (FORMAT binary)"
// into an identical empty table. Two Ferry figures: the engine alone in a child process, and end to end (a real
// server, the sync created and its execution POSTed and polled through the API: what a user waits for), with a
// breakdown of the end-to-end time. Goals: the engine ≥ 0.5 and end to end ≥ 0.8 of the baseline's rows/s; Ferry's
// peak RSS < 300 MB. BENCH_BULK_ROWS overrides the row count (e.g. 100000 for a quick look); BENCH_BULK_RANGES lists
// the engine runs by ranges copied at once (default 1,2: one stream, then parallel ranges).
import { spawn, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../test/kit/services.ts';
import { benchTableColumns, fillBenchTable } from './bulk/bench-table.ts';
import type { CopyChildReport, CopyChildRequest } from './bulk/ferry-copy-child.ts';
import { copyThroughServer, postgresConnectionOf, printPhases } from './bulk/ferry-end-to-end.ts';
import { pgcopydbAvailable, pgcopydbClone } from './bulk/pgcopydb-clone.ts';
import { printGoals } from './lib/goal.ts';
import { startPeakRssSampler } from './lib/peak-rss.ts';
import { type MeasuredCopy, postgresQuery, printCopies, rowsPerSecond } from './lib/measured-copy.ts';
import { formatRatio, ratio } from './lib/ratio.ts';
import { formatCount } from './lib/result-table.ts';

const rowCount = Number(process.env.BENCH_BULK_ROWS ?? 1_000_000);
const rangeCounts = (process.env.BENCH_BULK_RANGES ?? '1,2').split(',').map(Number);

/** psql | psql, the two processes' peak RSS summed (both hold their buffers at the same time). */
async function baseline(source: ScratchDatabase, destination: ScratchDatabase): Promise<MeasuredCopy> {
  const started = performance.now();
  const reader = spawn('psql', ['-X', '-q', '-d', source.url, '-c', 'COPY bench TO STDOUT (FORMAT binary)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const writer = spawn(
    'psql',
    ['-X', '-q', '-d', destination.url, '-c', 'COPY bench_baseline FROM STDIN (FORMAT binary)'],
    { stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const samplers = [startPeakRssSampler(reader.pid!, 50), startPeakRssSampler(writer.pid!, 50)];
  reader.stdout.pipe(writer.stdin);
  let peak = 0;
  const exits = [once(reader, 'exit'), once(writer, 'exit')];
  // The kernel's high-water mark must be read while the process still exists: read it when stdout closes.
  await once(reader.stdout, 'end');
  peak += samplers[0]!.stop() ?? 0;
  const [[readerCode], [writerCode]] = await Promise.all(
    exits.map(async (exit, index) => {
      if (index === 1) await once(writer.stdin, 'finish').catch(() => {});
      return exit;
    }),
  );
  peak += samplers[1]!.stop() ?? 0;
  const seconds = (performance.now() - started) / 1000;
  if (readerCode !== 0 || writerCode !== 0) throw new Error(`psql baseline failed (${readerCode}, ${writerCode})`);
  const { rows } = await postgresQuery(destination, 'select count(*)::int as count from bench_baseline');
  return {
    name: 'psql COPY binary | psql COPY binary',
    seconds,
    rows: rows[0].count,
    peakRss: peak || undefined,
    detail: 'baseline',
  };
}

async function ferry(source: ScratchDatabase, destination: ScratchDatabase, ranges: number): Promise<MeasuredCopy> {
  const child = fork(fileURLToPath(new URL('./bulk/ferry-copy-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request: CopyChildRequest = {
    source: postgresConnectionOf(source),
    destination: postgresConnectionOf(destination),
    schemaId: 'public.bench',
    outputName: `bench_ferry_${ranges}`,
    ranges,
  };
  child.send(request);
  const [report] = (await once(child, 'message')) as [CopyChildReport];
  await once(child, 'exit');
  if (report.status !== 'completed') throw new Error(`Ferry's copy ${report.status}: ${report.error}`);
  console.log(`Ferry process CPU: ${report.cpuSeconds.toFixed(2)} s for ${report.seconds.toFixed(2)} s of wall time`);
  return {
    name: `Ferry bulk sync (engine, ${ranges === 1 ? 'one stream' : `${ranges} ranges`})`,
    seconds: report.seconds,
    rows: report.rows,
    peakRss: report.peakRss,
    detail: report.path ?? '',
  };
}

async function main(): Promise<void> {
  const unavailable = await postgresUnavailable();
  if (unavailable) {
    console.log(`bulk bench skipped: ${unavailable}`);
    return;
  }
  const [source, destination] = await Promise.all([
    createPostgresDatabase('ferry_bench_src'),
    createPostgresDatabase('ferry_bench_dst'),
  ]);
  try {
    await postgresQuery(source, `create table bench (${benchTableColumns})`);
    await postgresQuery(source, fillBenchTable('bench', rowCount));
    await postgresQuery(source, 'vacuum analyze bench');
    await postgresQuery(destination, `create table bench_baseline (${benchTableColumns})`);
    const size = await postgresQuery(
      source,
      `select pg_relation_size('bench')::bigint as heap, avg(pg_column_size(bench.*))::int as row_bytes from bench`,
    );
    const bytes = Number(size.rows[0].heap);
    console.log(
      `${formatCount(rowCount)} rows, ${size.rows[0].row_bytes} bytes a row on average, ${(bytes / 1e6).toFixed(0)} MB heap`,
    );

    const base = await baseline(source, destination);
    const engines: MeasuredCopy[] = [];
    for (const ranges of rangeCounts) {
      engines.push(await ferry(source, destination, ranges));
      const check = await postgresQuery(destination, `select count(*)::int as count from bench_ferry_${ranges}`);
      if (check.rows[0].count !== rowCount)
        throw new Error(`Ferry copied ${check.rows[0].count} rows, expected ${rowCount}`);
    }
    const engine = engines.reduce((best, each) => (each.seconds < best.seconds ? each : best));
    await postgresQuery(destination, 'create schema e2e');
    const throughServer = await copyThroughServer(
      postgresConnectionOf(source),
      postgresConnectionOf(destination),
      'public.bench',
      'e2e',
    );
    const endToEnd: MeasuredCopy = {
      name: 'Ferry bulk sync (end to end: API, queue, worker)',
      seconds: throughServer.seconds,
      rows: throughServer.rows,
      peakRss: throughServer.peakRss,
      detail: throughServer.path,
    };
    const e2eCheck = await postgresQuery(destination, `select count(*)::int as count from e2e.bench`);
    if (e2eCheck.rows[0].count !== rowCount)
      throw new Error(`Ferry's server copied ${e2eCheck.rows[0].count} rows, expected ${rowCount}`);

    const peers: MeasuredCopy[] = [];
    if (pgcopydbAvailable()) {
      // Its own fresh target: a clone creates the schema, so it needs an empty database.
      const clone = await createPostgresDatabase('ferry_bench_pgcopydb');
      try {
        const seconds = await pgcopydbClone(source, clone);
        peers.push({
          name: 'pgcopydb clone --table-jobs 2 --index-jobs 2',
          seconds,
          rows: rowCount,
          peakRss: undefined,
          detail: 'peer',
        });
      } finally {
        await clone.drop();
      }
    } else {
      console.log('pgcopydb is not installed (Debian package pgcopydb): its row is left out');
    }
    printCopies(
      `PostgreSQL → PostgreSQL, ${formatCount(rowCount)} rows`,
      base,
      [base, ...peers, ...engines, endToEnd],
      {
        heapBytes: bytes,
      },
    );
    printPhases(throughServer);
    const speed = ratio(rowsPerSecond(engine), rowsPerSecond(base));
    const enginePeak = Math.max(...engines.map((each) => each.peakRss ?? Number.POSITIVE_INFINITY));
    const endToEndSpeed = ratio(rowsPerSecond(endToEnd), rowsPerSecond(base));
    printGoals([
      {
        name: 'engine throughput',
        met: speed >= 0.5,
        detail: `${formatRatio(speed)} of psql | psql at best, ${engine.name} (goal ≥ 0.50)`,
      },
      {
        name: 'end-to-end throughput',
        met: endToEndSpeed >= 0.8,
        detail: `${formatRatio(endToEndSpeed)} of psql | psql (goal ≥ 0.80)`,
      },
      {
        name: 'memory',
        met: Math.max(enginePeak, endToEnd.peakRss ?? Infinity) < 300e6,
        detail: `peak RSS ${(enginePeak / 1e6).toFixed(0)} MB engine (largest), ${((endToEnd.peakRss ?? Number.NaN) / 1e6).toFixed(0)} MB server (goal < 300 MB)`,
      },
    ]);
  } finally {
    await Promise.all([source.drop(), destination.drop()]);
  }
}

await main();
