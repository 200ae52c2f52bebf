// Scale-out: 30 bulk syncs (PostgreSQL → PostgreSQL, one table of BENCH_SCALE_ROWS rows each) due at the same
// instant, run by 1, 2 and 3 `ferry worker` processes (FERRY_WORKER_CONCURRENCY default, 4) against one PostgreSQL
// metadata database, with one `ferry serve --no-worker` for the API. Each round is a fresh installation.
// Trigger (BENCH_SCALE_TRIGGER):
//   schedule (default): the 30 syncs get a `custom` schedule for the same minute, the next minute boundary at least
//     20 s ahead, and the workers' schedulers fire them; the delay is from that due time to each started_at.
//   api: the 30 executions are started through the API at one instant (each sync twice at that instant, as two
//     callers racing would; the second is a 409); the delay is from that instant to each started_at.
// The round's rows/s is every row copied over the time from the due instant to the last completion. From the
// executions table: how many executions each sync got, and that no sync ever had two running at once.
// Baseline: the 1-worker round. Knobs: BENCH_SCALE_ROWS (20000), BENCH_SCALE_SYNCS (30), BENCH_SCALE_WORKERS (1,2,3).
import { loadavg } from 'node:os';
import pg from 'pg';
import { call } from '../test/kit/ferry-server.ts';
import { startFerryProcesses, workerRunning, type FerryProcesses } from '../test/kit/ferry-processes.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../test/kit/services.ts';
import { printGoals, type GoalCheck } from './lib/goal.ts';
import { postgresQuery } from './lib/measured-copy.ts';
import { formatRatio, ratio } from './lib/ratio.ts';
import { formatCount, formatMs, printTable } from './lib/result-table.ts';
import { overlappingRuns, peakConcurrency, percentile, type ExecutionSpan } from './scale/execution-timeline.ts';

const rowsPerSync = Number(process.env.BENCH_SCALE_ROWS ?? 20_000);
const syncCount = Number(process.env.BENCH_SCALE_SYNCS ?? 30);
const workerCounts = (process.env.BENCH_SCALE_WORKERS ?? '1,2,3').split(',').map(Number);
const roundTimeoutMs = Number(process.env.BENCH_SCALE_ROUND_TIMEOUT_MS ?? 240_000);

const trigger = process.env.BENCH_SCALE_TRIGGER === 'api' ? 'api' : 'schedule';

/** The next minute boundary at least `leadMs` from now: when every sync of a scheduled round is due. */
function nextDueMinute(leadMs: number): Date {
  const due = new Date(Date.now() + leadMs);
  if (due.getUTCSeconds() !== 0 || due.getUTCMilliseconds() !== 0) {
    due.setUTCSeconds(0, 0);
    due.setUTCMinutes(due.getUTCMinutes() + 1);
  }
  return due;
}

const tableName = (index: number) => `t_${String(index).padStart(2, '0')}`;

function configurationOf(database: ScratchDatabase): Record<string, unknown> {
  return { hostname: '127.0.0.1', port: 5432, database: database.name, username: 'postgres', ssl: false };
}

interface Round {
  workers: number;
  executions: number;
  refused: number;
  rows: number;
  spanMs: number;
  rowsPerSecond: number;
  delayP50: number;
  delayP95: number;
  peak: number;
  overlaps: number;
  incomplete: number;
}

async function createSyncs(
  ferry: FerryProcesses,
  source: ScratchDatabase,
  destination: ScratchDatabase,
  due: Date | undefined,
) {
  const connection = async (name: string, database: ScratchDatabase) => {
    const created = await call(ferry.url, 'POST', '/api/connections', {
      key: ferry.apiKey,
      body: { name, type: 'postgresql', configuration: configurationOf(database) },
    });
    if (created.status !== 200) throw new Error(`connection: ${created.text}`);
    return created.body.data.id as string;
  };
  const sourceId = await connection('Source', source);
  const destinationId = await connection('Destination', destination);
  const syncIds: string[] = [];
  for (let index = 0; index < syncCount; index += 1) {
    const created = await call(ferry.url, 'POST', '/api/bulk/syncs', {
      key: ferry.apiKey,
      body: {
        name: `Scale ${index}`,
        source_connection_id: sourceId,
        destination_connection_id: destinationId,
        destination_configuration: {},
        // Daily at the due minute (UTC): it fires once in the round.
        default_schedule: due
          ? { frequency: 'custom', minute: String(due.getUTCMinutes()), hour: String(due.getUTCHours()) }
          : { frequency: 'manual' },
        schemas: [`public.${tableName(index)}`],
      },
    });
    if (created.status !== 200) throw new Error(`bulk sync: ${created.text}`);
    syncIds.push(created.body.data.id);
  }
  return syncIds;
}

async function readSpans(ferry: FerryProcesses): Promise<ExecutionSpan[]> {
  const client = new pg.Client({ connectionString: ferry.metadata!.url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      id: string;
      sync_id: string;
      status: string;
      started_at: string | null;
      completed_at: string | null;
      record_count: number;
    }>('select id, sync_id, status, started_at, completed_at, record_count from bulk_sync_executions');
    return rows.map((row) => ({
      syncId: row.sync_id,
      executionId: row.id,
      status: row.status,
      startedAt: row.started_at ? Date.parse(row.started_at) : Number.NaN,
      completedAt: row.completed_at ? Date.parse(row.completed_at) : Number.NaN,
      rows: Number(row.record_count),
    }));
  } finally {
    await client.end();
  }
}

async function round(workers: number, source: ScratchDatabase): Promise<Round> {
  const ferry = await startFerryProcesses();
  const destination = await createPostgresDatabase('ferry_bench_scale_dst');
  try {
    await ferry.serve();
    await Promise.all(Array.from({ length: workers }, () => workerRunning(ferry.worker())));
    let dueAt: number;
    let refused = 0;
    if (trigger === 'schedule') {
      const due = nextDueMinute(20_000);
      dueAt = due.getTime();
      await createSyncs(ferry, source, destination, due);
      if (Date.now() > dueAt - 6_000)
        console.log('  warning: the syncs were created less than 6 s before they were due');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
    } else {
      const syncIds = await createSyncs(ferry, source, destination, undefined);
      dueAt = Date.now();
      const starts = await Promise.all(
        [...syncIds, ...syncIds].map((syncId) =>
          call(ferry.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, { key: ferry.apiKey, body: {} }),
        ),
      );
      refused = starts.filter((start) => start.status === 409).length;
      if (starts.some((start) => start.status !== 200 && start.status !== 409))
        throw new Error(`unexpected start answers: ${starts.map((start) => start.status).join(',')}`);
    }

    let spans: ExecutionSpan[] = [];
    const deadline = Date.now() + roundTimeoutMs;
    for (;;) {
      spans = await readSpans(ferry);
      if (spans.length >= syncCount && spans.every((span) => ['completed', 'failed', 'canceled'].includes(span.status)))
        break;
      if (Date.now() > deadline) {
        console.log(
          `  round of ${workers} worker(s) timed out; executions not finished: ${spans
            .filter((span) => !['completed', 'failed', 'canceled'].includes(span.status))
            .map((span) => `${span.executionId} ${span.status}`)
            .join(', ')}`,
        );
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const finished = spans.filter((span) => Number.isFinite(span.completedAt));
    const rows = spans.reduce((sum, span) => sum + span.rows, 0);
    const spanMs = Math.max(...finished.map((span) => span.completedAt)) - dueAt;
    const delays = spans.filter((span) => Number.isFinite(span.startedAt)).map((span) => span.startedAt - dueAt);
    return {
      workers,
      executions: spans.length,
      refused,
      rows,
      spanMs,
      rowsPerSecond: rows / (spanMs / 1000),
      delayP50: percentile(delays, 50),
      delayP95: percentile(delays, 95),
      peak: peakConcurrency(finished),
      overlaps: overlappingRuns(finished).length,
      incomplete: spans.filter((span) => span.status !== 'completed').length,
    };
  } finally {
    await ferry.close();
    await destination.drop();
  }
}

const unavailable = await postgresUnavailable();
if (unavailable) {
  console.log(`bench/scale needs PostgreSQL: ${unavailable}`);
  process.exit(0);
}

console.log(
  `bench/scale: ${syncCount} bulk syncs × ${formatCount(rowsPerSync)} rows, workers ${workerCounts.join(', ')}, ` +
    `started by ${trigger === 'schedule' ? 'their schedules' : 'the API'}; ` +
    `load average before ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
);
const source = await createPostgresDatabase('ferry_bench_scale_src');
const rounds: Round[] = [];
try {
  for (let index = 0; index < syncCount; index += 1)
    await postgresQuery(
      source,
      `create table ${tableName(index)} (id int primary key, name text, amount numeric, at timestamptz);
       insert into ${tableName(index)} select i, md5(i::text), i * 1.5, now() - i * interval '1 minute'
         from generate_series(1, ${rowsPerSync}) i`,
    );
  for (const workers of workerCounts) {
    const result = await round(workers, source);
    rounds.push(result);
    console.log(
      `  ${workers} worker(s): ${formatCount(result.rowsPerSecond)} rows/s, delay p50 ${formatMs(result.delayP50)} p95 ${formatMs(result.delayP95)}`,
    );
  }
} finally {
  await source.drop();
}

const baseline = rounds.find((result) => result.workers === 1);
printTable(
  `bench/scale — ${syncCount} bulk syncs due at once (${trigger === 'schedule' ? 'scheduled' : 'started through the API'}), ${formatCount(rowsPerSync)} rows each`,
  [
    { header: 'workers', cell: (row: Round) => String(row.workers), align: 'right' },
    { header: 'executions', cell: (row) => String(row.executions), align: 'right' },
    { header: 'refused (409)', cell: (row) => String(row.refused), align: 'right' },
    { header: 'rows', cell: (row) => formatCount(row.rows), align: 'right' },
    { header: 'due → last done', cell: (row) => formatMs(row.spanMs), align: 'right' },
    { header: 'rows/s', cell: (row) => formatCount(row.rowsPerSecond), align: 'right' },
    {
      header: 'vs 1 worker',
      cell: (row) => formatRatio(ratio(row.rowsPerSecond, baseline?.rowsPerSecond ?? Number.NaN)),
      align: 'right',
    },
    { header: 'delay p50', cell: (row) => formatMs(row.delayP50), align: 'right' },
    { header: 'delay p95', cell: (row) => formatMs(row.delayP95), align: 'right' },
    { header: 'peak running', cell: (row) => String(row.peak), align: 'right' },
    { header: 'overlapping runs', cell: (row) => String(row.overlaps), align: 'right' },
  ],
  rounds,
);
console.log(
  `load average after ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} (2 cores: above 2, other work shares the machine)`,
);

const checks: GoalCheck[] = rounds.flatMap((result) => [
  {
    name: `${result.workers} worker(s): every due sync ran exactly once`,
    met: result.executions === syncCount && result.incomplete === 0,
    detail: `${result.executions} executions for ${syncCount} syncs, ${result.incomplete} not completed${trigger === 'api' ? `, ${result.refused} second starts refused` : ''}`,
  },
  {
    name: `${result.workers} worker(s): no sync ever ran twice at the same time`,
    met: result.overlaps === 0,
    detail: `${result.overlaps} overlapping pairs in the executions table`,
  },
  {
    name: `${result.workers} worker(s): at most ${4 * result.workers} executions at once (FERRY_WORKER_CONCURRENCY 4)`,
    met: result.peak <= 4 * result.workers,
    detail: `peak ${result.peak}`,
  },
]);
for (const result of rounds.filter((item) => item.workers > 1))
  checks.push({
    name: `${result.workers} workers start the backlog sooner than 1 (delay p95)`,
    met: baseline !== undefined && result.delayP95 < baseline.delayP95,
    detail: `p95 ${formatMs(result.delayP95)} against ${formatMs(baseline?.delayP95 ?? Number.NaN)}`,
  });
printGoals(checks);
