// The PostgreSQL adapter: graphile-worker 0.17.3 (SKIP LOCKED claims, LISTEN/NOTIFY wake-ups, job keys), plus
// Ferry's lease (graphile-lease.ts) and retry policy (graphile-failure.ts). Enqueue runs graphile's add_job() on
// the caller's Kysely transaction, which is graphile's documented transactional path: the job and the row it
// concerns commit together, and the NOTIFY that wakes the workers is delivered at that commit.
import { EventEmitter } from 'node:events';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import graphileWorker from 'graphile-worker';
import type { JobHelpers, Runner, Task, WorkerEvents } from 'graphile-worker';
import { systemClock, type Clock } from '../../domain/clock.ts';
import { silentLogger, type RunLogger } from '../../domain/run-context.ts';
import type {
  CancelResult,
  CancelTarget,
  EnqueueSpec,
  EnqueuedJob,
  JobQueue,
  JobSnapshot,
  RunningWorker,
  StartOptions,
} from '../job-queue.ts';
import { queueDefaults } from '../job-queue.ts';
import { createJobRuns, AbortReason } from '../job-runs.ts';
import { assertLeaseSettings, defaultHeartbeatIntervalMs, startLeaseHeartbeat } from '../lease-heartbeat.ts';
import { claimWorkerSlot } from '../worker-slot.ts';
import { decideRetry, failureMessage } from '../retry-policy.ts';
import { prepareGraphileFailure, prepareGraphileHandBack } from './graphile-failure.ts';
import {
  createWorkerPoolsTable,
  type GraphileSlotLock,
  registerPool,
  releaseDeadSlotPools,
  tryGraphileSlotLock,
  unregisterPools,
} from './graphile-identity.ts';
import { quoteSchema, reclaimExpiredLeases, refreshLeases } from './graphile-lease.ts';
import { graphileLogger } from './graphile-logger.ts';

export interface GraphileJobQueueOptions {
  /** The metadata database URL; the adapter opens its own pool for workers (enqueue uses the caller's). */
  connectionString?: string;
  /** Or a pool the caller owns (then close() leaves it open). */
  pgPool?: pg.Pool;
  /**
   * Pool size when the adapter opens the pool. Default 10: per worker, `concurrency` job connections at most, one
   * LISTEN, one heartbeat, and one that holds its identity lock.
   */
  maxPoolSize?: number;
  /** graphile-worker's schema. Default graphile_worker. */
  schema?: string;
  log?: RunLogger;
  /** The workers' heartbeat timers (leases themselves are on the database's clock). Default the system clock. */
  clock?: Clock;
}

/** Keyed jobs go to a graphile named queue of the same name: named queues run one job at a time. */
const keyQueuePrefix = 'ferry-key:';

interface JobViewRow {
  id: string;
  task_identifier: string;
  queue_name: string | null;
  key: string | null;
  payload: unknown;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_at: Date | null;
}

/**
 * graphile-worker 0.17 records a job's end (complete_jobs / fail_jobs) without awaiting it, and its graceful
 * shutdown can resolve before those writes land; stop() promises that nothing of this pool is left locked, so it
 * waits for them (a few milliseconds normally; bounded by 5 s, after which the lease sweep frees them anyway).
 */
async function waitForReleasedLocks(pool: pg.Pool, schema: string, poolId: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const result = await pool.query(`select 1 from ${quoteSchema(schema)}._private_jobs where locked_by = $1 limit 1`, [
      poolId,
    ]);
    if (result.rowCount === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function createGraphileJobQueue(options: GraphileJobQueueOptions): JobQueue {
  const schema = options.schema ?? 'graphile_worker';
  const s = quoteSchema(schema);
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const ownsPool = !options.pgPool;
  if (!options.pgPool && !options.connectionString)
    throw new Error('createGraphileJobQueue needs connectionString or pgPool');
  const pool =
    options.pgPool ??
    new pg.Pool({ connectionString: options.connectionString, max: Math.max(options.maxPoolSize ?? 10, 2) });
  // An idle client that the server disconnects emits 'error' on the pool; unhandled, that would crash the process.
  if (ownsPool) {
    pool.on('error', (error) => log.warn({ err: error }, 'queue: idle PostgreSQL connection lost'));
    // A checked-out client (graphile's LISTEN connection) reports a lost server on the client itself.
    pool.on('connect', (client) =>
      client.on('error', (error) => log.warn({ err: error }, 'queue: PostgreSQL connection lost')),
    );
  }
  const logger = graphileLogger(log);
  const workers = new Set<{ abort(match: { jobId?: string; jobKey?: string }): boolean; stop(): Promise<void> }>();
  let closed = false;

  return {
    kind: 'graphile',

    async prepare() {
      await graphileWorker.runMigrations({ pgPool: pool, schema, logger });
      await createWorkerPoolsTable(pool, schema);
    },

    async enqueue<DB>(transaction: Transaction<DB>, spec: EnqueueSpec): Promise<EnqueuedJob> {
      const queueName = spec.jobKey === undefined ? null : `${keyQueuePrefix}${spec.jobKey}`;
      const result = await sql<{ id: string }>`
        select id from ${sql.raw(s)}.add_job(
          identifier => ${spec.task}::text,
          payload => ${JSON.stringify(spec.payload)}::json,
          queue_name => ${queueName}::text,
          run_at => ${spec.runAt ?? null}::timestamptz,
          max_attempts => ${spec.maxAttempts ?? queueDefaults.maxAttempts}::int,
          job_key => ${spec.jobKey ?? null}::text,
          priority => ${spec.priority ?? 0}::int,
          job_key_mode => 'replace')`.execute(transaction);
      return { jobId: String(result.rows[0]!.id) };
    },

    async start(startOptions: StartOptions): Promise<RunningWorker> {
      const concurrency = startOptions.concurrency ?? queueDefaults.concurrency;
      const leaseMs = startOptions.leaseMs ?? queueDefaults.leaseMs;
      const heartbeatIntervalMs =
        startOptions.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs(leaseMs, queueDefaults.heartbeatIntervalMs);
      assertLeaseSettings(leaseMs, heartbeatIntervalMs);
      const stopTimeoutMs = startOptions.stopTimeoutMs ?? queueDefaults.stopTimeoutMs;
      const workerLog = startOptions.log ?? log;
      const runs = createJobRuns({ ...startOptions, log: workerLog });

      // The identity first: its slot's dead pools are freed before this pool claims anything.
      let poolId = '';
      let slot: { slotId: string; lock: GraphileSlotLock } | undefined;
      let identityLost = false;
      const takeSlot = async (baseId: string) => {
        const claimed = await claimWorkerSlot(baseId, (id) => tryGraphileSlotLock(pool, schema, id));
        const lock = claimed.lock as GraphileSlotLock;
        // The lock lives as long as this session. If it ends while the process lives (the server restarted, the
        // connection was cut), another process may take the slot and free this pool's jobs: stop running them.
        lock.client.on('error', (error) => {
          if (slot?.lock !== lock || identityLost) return;
          identityLost = true;
          workerLog.error(
            { err: error, workerId: claimed.slotId },
            'queue: the session holding this worker identity ended; aborting its jobs and taking an identity again',
          );
          for (const jobId of runs.jobIds()) runs.abort({ jobId }, AbortReason.interrupted);
          void lock.release();
        });
        const released = await releaseDeadSlotPools(lock.client, schema, claimed.slotId, poolId);
        workerLog.info(
          { workerId: claimed.slotId, released },
          released.length > 0
            ? 'queue: worker started; released the jobs its previous process held when it died'
            : 'queue: worker started',
        );
        slot = { slotId: claimed.slotId, lock };
      };
      if (startOptions.workerId !== undefined) await takeSlot(startOptions.workerId);

      let registered: Promise<void> = Promise.resolve();
      const events: WorkerEvents = new EventEmitter() as WorkerEvents;
      // Emitted synchronously inside run(), before any worker of the pool claims a job. The registration lands a few
      // milliseconds later; a crash inside that window leaves the claims to the lease.
      events.once('pool:create', ({ workerPool }) => {
        poolId = workerPool.id;
        if (slot) registered = registerPool(pool, schema, poolId, slot.slotId);
      });

      const wrap =
        (handler: StartOptions['tasks'][string]): Task =>
        async (payload: unknown, helpers: JobHelpers) => {
          const job = helpers.job;
          const jobId = String(job.id);
          // Without its identity's lock, this pool's claims may be freed under it at any moment.
          if (identityLost) throw new Error(`job ${jobId} interrupted: this worker lost its identity lock`);
          const onPoolAbort = () => runs.abort({ jobId }, AbortReason.interrupted);
          helpers.abortSignal?.addEventListener('abort', onPoolAbort);
          try {
            const outcome = await runs.run(
              { jobId, task: job.task_identifier, jobKey: job.key ?? undefined, payload, attempt: job.attempts },
              handler,
            );
            if (outcome.kind === 'succeeded' || outcome.kind === 'cancelled') return;
            if (outcome.kind === 'interrupted' || outcome.kind === 'deferred') {
              // Not the job's fault: the attempt is given back, so shutdowns and waits never use up its attempts.
              await prepareGraphileHandBack(
                pool,
                schema,
                jobId,
                poolId,
                outcome.kind === 'deferred' ? outcome.delayMs : 0,
              );
              throw outcome.error;
            }
            const decision = decideRetry(outcome.error, job.attempts, job.max_attempts);
            workerLog.warn(
              {
                jobId,
                task: job.task_identifier,
                attempt: job.attempts,
                decision,
                error: failureMessage(outcome.error),
              },
              'queue: job failed',
            );
            await prepareGraphileFailure(pool, schema, jobId, poolId, decision);
            throw outcome.error;
          } finally {
            helpers.abortSignal?.removeEventListener('abort', onPoolAbort);
          }
        };
      const taskList: Record<string, Task> = {};
      for (const [name, handler] of Object.entries(startOptions.tasks)) taskList[name] = wrap(handler);

      let runner: Runner;
      try {
        runner = await graphileWorker.run({
          pgPool: pool,
          schema,
          logger,
          events,
          concurrency,
          pollInterval: startOptions.pollIntervalMs ?? 2_000,
          taskList,
          crontab: '',
          noHandleSignals: true,
          // Ferry's stop() aborts first (after stopTimeoutMs); graphile's own abort is only a backstop.
          gracefulShutdownAbortTimeout: stopTimeoutMs + 5_000,
        });
        await registered;
      } catch (error: unknown) {
        await slot?.lock.release();
        throw error;
      }

      const heartbeat = async () => {
        if (identityLost && slot && startOptions.workerId !== undefined) {
          await takeSlot(startOptions.workerId);
          await registerPool(pool, schema, poolId, slot.slotId);
          identityLost = false;
        }
        if (poolId) {
          // Only runs that started before the renewal can be judged by its answer.
          const running = runs.jobIds();
          const held = await refreshLeases(pool, schema, poolId);
          for (const jobId of running) if (!held.has(jobId)) runs.abort({ jobId }, AbortReason.interrupted);
        }
        const freed = await reclaimExpiredLeases(pool, schema, leaseMs);
        if (freed.length > 0)
          workerLog.warn({ workers: freed }, 'queue: freed the jobs of workers whose lease expired');
      };
      const leaseHeartbeat = startLeaseHeartbeat({
        clock,
        intervalMs: heartbeatIntervalMs,
        renew: heartbeat,
        onError: (error) => workerLog.warn({ err: error }, 'queue: lease heartbeat failed; retrying next heartbeat'),
      });

      let stopped: Promise<void> | undefined;
      const worker = {
        abort: (match: { jobId?: string; jobKey?: string }) => runs.abort(match, AbortReason.cancelled),
        stop() {
          stopped ??= (async () => {
            const stopping = runner.stop();
            await runs.drain(stopTimeoutMs);
            await stopping;
            await leaseHeartbeat.stop();
            await waitForReleasedLocks(pool, schema, poolId);
            if (slot) {
              await unregisterPools(pool, schema, [poolId]);
              // Last: the slot stays locked until nothing of this pool is left locked.
              await slot.lock.release();
            }
            workers.delete(worker);
          })();
          return stopped;
        },
      };
      workers.add(worker);
      return { workerId: slot?.slotId ?? poolId, stop: worker.stop };
    },

    async cancel(target: CancelTarget): Promise<CancelResult> {
      let removed: boolean;
      if ('jobKey' in target) {
        // remove_job deletes an unlocked job; a locked one loses its key and gets no further attempt.
        const result = await pool.query<{ id: string | null; locked_at: Date | null }>(
          `select id, locked_at from ${s}.remove_job($1)`,
          [target.jobKey],
        );
        removed = result.rows.some((row) => row.id !== null && row.locked_at === null);
      } else {
        const result = await pool.query(`select id from ${s}.complete_jobs(array[$1::bigint])`, [target.jobId]);
        removed = (result.rowCount ?? 0) > 0;
      }
      let aborted = false;
      for (const worker of workers)
        aborted = worker.abort('jobKey' in target ? { jobKey: target.jobKey } : { jobId: target.jobId }) || aborted;
      return { removed, aborted };
    },

    async getJob(jobId: string): Promise<JobSnapshot | undefined> {
      const result = await pool.query<JobViewRow>(
        `select view.id, view.task_identifier, view.queue_name, view.key, jobs.payload, view.run_at, view.attempts, view.max_attempts,
                view.last_error, view.locked_at
           from ${s}.jobs as view join ${s}._private_jobs as jobs on jobs.id = view.id
          where view.id = $1::bigint`,
        [jobId],
      );
      const row = result.rows[0];
      if (!row) return undefined;
      const state = row.locked_at !== null ? 'running' : row.attempts >= row.max_attempts ? 'failed' : 'pending';
      return {
        jobId: String(row.id),
        task: row.task_identifier,
        jobKey: row.key ?? undefined,
        payload: row.payload,
        state,
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
        runAt: row.run_at,
        lastError: row.last_error ?? undefined,
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...workers].map((worker) => worker.stop()));
      if (ownsPool) await pool.end();
    },
  };
}
