// The JobQueue port: what the services and the worker role need from a job queue, whatever stores it.
// Two adapters implement it and run one shared test suite (test/queue/job-queue.case.ts):
//   embedded/  jobs in a table of the SQLite metadata database (the default, one process or a few on one machine);
//   graphile/  graphile-worker 0.17 on the PostgreSQL metadata database (any number of workers on any machines).
// docs/queue.md explains the semantics below in prose, with the numbers.
import type { Transaction } from 'kysely';
import type { RunLogger } from '../domain/run-context.ts';

/**
 * Every payload carries a `version`: jobs outlive deploys, so a handler must recognise (or reject) the shape an older
 * release enqueued. The rest is the task's own JSON-serialisable data; it is `unknown` to the handler until its
 * schema check passes (payloads are parsed, never cast: CONTRIBUTING.md).
 */
export interface JobPayload {
  readonly version: number;
  readonly [field: string]: unknown;
}

export interface EnqueueSpec {
  /** Task name; the worker that claims the job must have a handler of that name. */
  task: string;
  payload: JobPayload;
  /**
   * Deduplication and serialisation key (graphile's `job_key`, mode `replace`):
   * - while a job with this key is pending (not running), a second enqueue replaces its task, payload, runAt,
   *   maxAttempts and priority, and resets its attempts; one job remains;
   * - while the job with this key is running, a second enqueue adds a new pending job that carries the key, and
   *   that job does not start until the running one has finished: jobs of one key never run concurrently.
   */
  jobKey?: string;
  /** Earliest start. Default: now. */
  runAt?: Date;
  /** Attempts before the job is failed for good. Default queueDefaults.maxAttempts (25, as graphile-worker). */
  maxAttempts?: number;
  /** Smaller runs first. Default 0. */
  priority?: number;
}

export interface EnqueuedJob {
  jobId: string;
}

/** What a handler receives next to its payload. */
export interface JobContext {
  /** Aborted on cancel(), on stop() after its timeout, or when the adapter lost the job's lease. */
  readonly signal: AbortSignal;
  readonly jobId: string;
  readonly jobKey: string | undefined;
  /** 1 on the first run. */
  readonly attempt: number;
  readonly log: RunLogger;
  /**
   * Reports progress. It does not extend the lease: the worker renews the lease of every job it runs on its own
   * timer (every heartbeatIntervalMs), so a handler that beats rarely, or blocks between beats, keeps its job. Beats
   * are forwarded to StartOptions.onHeartbeat when one is given; Ferry's worker role gives none (the engine writes
   * an execution's progress itself, after every batch), and nothing looks for runs that stop beating.
   */
  heartbeat(progress?: unknown): void;
}

export type JobHandler = (payload: unknown, context: JobContext) => Promise<void>;

/** Error fields the queue reads from whatever a handler throws (SyncError, ConnectorError, or any Error). */
export interface RetryHints {
  /** false: fail at once, no further attempt. Absent or true: retry until maxAttempts. */
  retryable?: boolean;
  /** Milliseconds to wait before the next attempt instead of the default backoff. */
  nextRetryDelay?: number;
  /**
   * The handler did not run the job and asks for it again in this many milliseconds: the job goes back to the queue
   * without counting this attempt (a worker stopping, a limit reached). See JobHandedBack in job-deferral.ts.
   */
  deferMs?: number;
}

interface HeartbeatEvent {
  jobId: string;
  task: string;
  jobKey: string | undefined;
  progress: unknown;
}

export interface RunningJobInfo {
  jobId: string;
  task: string;
  jobKey: string | undefined;
  payload: unknown;
}

export interface StartOptions {
  tasks: Record<string, JobHandler>;
  /** Jobs run at once by this worker. Default queueDefaults.concurrency. */
  concurrency?: number;
  /** Polling period when nothing wakes the worker. Default queueDefaults.pollIntervalMs. */
  pollIntervalMs?: number;
  /** How long a job stays claimed without its worker renewing the lease. Default queueDefaults.leaseMs. */
  leaseMs?: number;
  /**
   * How often the worker renews the lease of every job it runs. At most leaseMs / 2, so that one late renewal does
   * not lose a live job. Default queueDefaults.heartbeatIntervalMs, or a quarter of a lease shorter than 4 of them.
   */
  heartbeatIntervalMs?: number;
  /**
   * A stable identity across restarts of this worker (same machine, same data). The worker holds a lock on a slot
   * of it, the first free one of `<workerId>`, `<workerId>#2`, `<workerId>#3`, … (a file lock next to the SQLite
   * database; a PostgreSQL advisory lock). The lock is free only when no live process holds the slot, so whatever
   * the slot's previous holder left claimed is released at start, at once, instead of after the lease: a restarted
   * worker resumes its own jobs straight away, and a second live process with the same identity takes another
   * slot, never the first one's jobs. Unset: a random identity, and a crashed worker's jobs wait for the lease.
   */
  workerId?: string;
  /** stop() waits this long for in-flight jobs before aborting their signals. Default queueDefaults.stopTimeoutMs. */
  stopTimeoutMs?: number;
  log?: RunLogger;
  onHeartbeat?: (event: HeartbeatEvent) => void;
  /**
   * The cross-process cancel hook. cancel() can only abort jobs that run in the calling process; a job running on
   * another worker learns it is cancelled when this check, polled every `cancelCheckIntervalMs` for each running
   * job, returns true (the engine answers it from the execution row's cancel flag). Its signal is then aborted.
   */
  isCancelled?: (job: RunningJobInfo) => Promise<boolean>;
  /** Default queueDefaults.cancelCheckIntervalMs. */
  cancelCheckIntervalMs?: number;
}

export interface RunningWorker {
  /**
   * Identifies this worker's claims: the slot of StartOptions.workerId it holds, or a random id without one. The
   * embedded queue's `locked_by`; on graphile, the slot its pool ids are registered under (or the pool id).
   */
  readonly workerId: string;
  /**
   * Stops claiming, waits up to stopTimeoutMs for in-flight jobs, then aborts the ones still running and waits for
   * them to settle; an aborted job is released for another worker, its attempt not counted (on graphile it waits
   * graphile's backoff floor first, 1 s on a first attempt). Resolves when no job of this worker runs and every timer is cleared.
   */
  stop(): Promise<void>;
}

export type CancelTarget = { jobKey: string } | { jobId: string };

export interface CancelResult {
  /** A pending job was deleted. */
  removed: boolean;
  /** A job running in this process had its signal aborted; it will not be retried. */
  aborted: boolean;
}

const JobState = {
  pending: 'pending',
  running: 'running',
  failed: 'failed',
} as const;
type JobState = (typeof JobState)[keyof typeof JobState];

/** A job as stored; finished jobs are deleted, so a completed or cancelled job reads as undefined. */
export interface JobSnapshot {
  jobId: string;
  task: string;
  jobKey: string | undefined;
  payload: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | undefined;
}

export interface JobQueue {
  readonly kind: 'embedded' | 'graphile';
  /** Creates the queue's tables or schema if missing; idempotent, safe from several processes at once. */
  prepare(): Promise<void>;
  /** Adds a job inside the caller's transaction: it exists if and only if that transaction commits. */
  enqueue<DB>(transaction: Transaction<DB>, spec: EnqueueSpec): Promise<EnqueuedJob>;
  start(options: StartOptions): Promise<RunningWorker>;
  /** Deletes the pending job, and aborts it if it runs in this process (then it is not retried). */
  cancel(target: CancelTarget): Promise<CancelResult>;
  getJob(jobId: string): Promise<JobSnapshot | undefined>;
  /** Stops every worker started from this queue and releases what the adapter opened (not the caller's db). */
  close(): Promise<void>;
}

/** Defaults of the queue options; config.ts may override them per deployment. */
export const queueDefaults = {
  maxAttempts: 25,
  concurrency: 4,
  /** Embedded: the fallback when no in-process enqueue wakes the worker (another process enqueued). */
  pollIntervalMs: 1_000,
  /**
   * A worker that stops renewing for this long is presumed dead and its jobs are claimable again by any worker.
   * Long enough to ride out a stalled event loop or a slow database, short enough that a crashed worker's sync
   * resumes soon on another machine (its own restart reclaims at once, see StartOptions.workerId).
   */
  leaseMs: 20_000,
  /** Lease renewal period: four renewals per lease, so three in a row may fail before a live job is lost. */
  heartbeatIntervalMs: 5_000,
  stopTimeoutMs: 30_000,
  cancelCheckIntervalMs: 5_000,
} as const;
