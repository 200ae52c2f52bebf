// The process's Prometheus metrics (prom-client): one registry per Ferry process, never prom-client's global one,
// so that several Ferry instances in one process (the tests) keep their own counts. docs/operations.md lists them.
//
// What counts work (rows, durations, running executions) is this process's: Prometheus sums the instances. What
// describes shared state (queue depth) is read from the database on scrape, so every instance reports the same
// figure and a dashboard takes max() rather than sum().
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createRequestDurations } from './request-durations.ts';

/** Which engine ran: a bulk sync (ELT) or a model sync (reverse ETL). */
export type SyncKind = 'bulk' | 'model';

/** How an execution ended, as its status says. */
export type ExecutionOutcome = 'completed' | 'failed' | 'canceled';

/** Jobs per task and state, as the queue's storage holds them at scrape time. */
export interface QueueDepthRow {
  task: string;
  state: 'pending' | 'running' | 'failed';
  count: number;
}

export interface FerryMetrics {
  readonly registry: Registry;
  /** The scheduler's lateness: from a firing's due time to the start of the execution it made. */
  observeSchedulerDelay(seconds: number, kind: SyncKind): void;
  /** Rows an execution read from its source and wrote to its destination or target since the last call. */
  countRows(kind: SyncKind, read: number, written: number): void;
  /** An execution of this process began or stopped running. */
  executionStarted(kind: SyncKind): void;
  executionStopped(kind: SyncKind): void;
  /** An execution reached its final status after `seconds` (from its first start, retries included). */
  observeExecution(kind: SyncKind, outcome: ExecutionOutcome, seconds: number): void;
  /** One HTTP request, by route template (never the raw URL, whose ids would make a series per entity). */
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void;
  /**
   * A change stream's distance behind its source (bytes of retained log, seconds since the last applied commit),
   * updated while it streams; `undefined` removes the sync's series (its stream stopped).
   */
  setChangeCaptureLag(syncId: string, lag: { bytesBehind?: number; lagSeconds?: number } | undefined): void;
  /** Sets where queue depth is read from on scrape. */
  readQueueDepthWith(reader: () => Promise<QueueDepthRow[]>): void;
  /** The text exposition, with its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

// Syncs take from seconds to hours: buckets from 1 s to 6 h.
const executionBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600];
// A scheduler that keeps up starts within a second; minutes mean workers are saturated.
const schedulerBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];
const httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createFerryMetrics(options: { defaultMetrics?: boolean } = {}): FerryMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  let queueDepth: (() => Promise<QueueDepthRow[]>) | undefined;
  const queueReadFailures = new Counter({
    name: 'ferry_queue_depth_read_failures_total',
    help: 'Scrapes whose queue depth query failed or timed out (ferry_queue_jobs is then left out)',
    registers: [registry],
  });
  new Gauge({
    name: 'ferry_queue_jobs',
    help: 'Jobs in the queue by task and state (pending: waiting to run; running: claimed; failed: out of attempts)',
    labelNames: ['task', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!queueDepth) return;
      try {
        for (const row of await queueDepth()) this.set({ task: row.task, state: row.state }, row.count);
      } catch {
        queueReadFailures.inc();
      }
    },
  });
  const running = new Gauge({
    name: 'ferry_executions_running',
    help: 'Executions running in this process, by sync kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const rowsRead = new Counter({
    name: 'ferry_rows_read_total',
    help: 'Rows read from sources by executions of this process, by sync kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const rowsWritten = new Counter({
    name: 'ferry_rows_written_total',
    help: 'Rows written to destinations and targets by executions of this process, by sync kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const executionDuration = new Histogram({
    name: 'ferry_execution_duration_seconds',
    help: 'Time from an execution’s first start to its final status, by sync kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: executionBuckets,
    registers: [registry],
  });
  const schedulerDelay = new Histogram({
    name: 'ferry_scheduler_delay_seconds',
    help: 'Time from a schedule’s due time to the start of the execution it fired, by sync kind',
    labelNames: ['kind'] as const,
    buckets: schedulerBuckets,
    registers: [registry],
  });
  const httpDuration = createRequestDurations(
    'ferry_http_request_duration_seconds',
    'HTTP request duration by method, route template and status',
    httpBuckets,
  );
  const bytesBehind = new Gauge({
    name: 'ferry_change_capture_bytes_behind',
    help: 'Bytes of source log a change stream of this process retains behind the source’s current end, by sync',
    labelNames: ['sync_id'] as const,
    registers: [registry],
  });
  const lagSeconds = new Gauge({
    name: 'ferry_change_capture_lag_seconds',
    help: 'Seconds from the source commit of the last change a stream of this process applied to its apply, by sync',
    labelNames: ['sync_id'] as const,
    registers: [registry],
  });
  for (const kind of ['bulk', 'model'] as const) {
    // Present at zero from the start, so rate() and absent() behave before the first run.
    running.set({ kind }, 0);
    rowsRead.inc({ kind }, 0);
    rowsWritten.inc({ kind }, 0);
  }
  return {
    registry,
    observeSchedulerDelay: (seconds, kind) => schedulerDelay.observe({ kind }, Math.max(0, seconds)),
    countRows(kind, read, written) {
      if (read > 0) rowsRead.inc({ kind }, read);
      if (written > 0) rowsWritten.inc({ kind }, written);
    },
    executionStarted: (kind) => running.inc({ kind }),
    executionStopped: (kind) => running.dec({ kind }),
    observeExecution: (kind, outcome, seconds) => executionDuration.observe({ kind, outcome }, Math.max(0, seconds)),
    observeHttpRequest: (method, route, status, seconds) => httpDuration.observe(method, route, status, seconds),
    setChangeCaptureLag(syncId, lag) {
      if (!lag) {
        bytesBehind.remove({ sync_id: syncId });
        lagSeconds.remove({ sync_id: syncId });
        return;
      }
      if (lag.bytesBehind !== undefined) bytesBehind.set({ sync_id: syncId }, lag.bytesBehind);
      if (lag.lagSeconds !== undefined) lagSeconds.set({ sync_id: syncId }, lag.lagSeconds);
    },
    readQueueDepthWith(reader) {
      queueDepth = reader;
    },
    async scrape() {
      // The registry's text ends with a newline; its families are separated by an empty line.
      return { contentType: registry.contentType, body: `${await registry.metrics()}\n${httpDuration.text()}\n` };
    },
  };
}
