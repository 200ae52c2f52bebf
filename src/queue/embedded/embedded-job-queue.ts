// The embedded adapter: jobs in the SQLite metadata database, claimed by one UPDATE (embedded-claim.ts) and held
// by a lease that the worker renews. Several processes may share the file; each polls, and an enqueue in this
// process wakes this process's workers at once. A worker given a workerId locks a slot of it (embedded-slot-lock.ts)
// and first releases what that slot held when its previous process died.
import { randomBytes } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { systemClock, type Clock } from '../../domain/clock.ts';
import { silentLogger } from '../../domain/run-context.ts';
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
import { assertLeaseSettings, defaultHeartbeatIntervalMs } from '../lease-heartbeat.ts';
import { claimWorkerSlot, type SlotLock } from '../worker-slot.ts';
import { createEmbeddedQueueTables, type QueueDatabase } from './embedded-queue-tables.ts';
import { databaseFile, tryEmbeddedSlotLock } from './embedded-slot-lock.ts';
import { startEmbeddedWorker, type EmbeddedWorker } from './embedded-worker.ts';

export interface EmbeddedJobQueueOptions {
  /** The metadata database; enqueue() also works on transactions of another Kysely over the same file. */
  db: QueueDatabase;
  /** Leases, run_at and the workers' timers. Default the system clock. */
  clock?: Clock;
}

interface JobRow {
  id: number;
  task: string;
  payload: string;
  job_key: string | null;
  attempts: number;
  max_attempts: number;
  run_at: number;
  locked_until: number | null;
  last_error: string | null;
  failed_at: number | null;
}

export function createEmbeddedJobQueue(options: EmbeddedJobQueueOptions): JobQueue {
  const { db } = options;
  const clock = options.clock ?? systemClock;
  const now = () => clock.nowMs();
  const workers = new Set<EmbeddedWorker>();
  const started = new Set<RunningWorker>();

  return {
    kind: 'embedded',

    prepare: () => createEmbeddedQueueTables(db),

    async enqueue<DB>(transaction: Transaction<DB>, spec: EnqueueSpec): Promise<EnqueuedJob> {
      const at = now();
      const payload = JSON.stringify(spec.payload);
      const runAt = spec.runAt ? spec.runAt.getTime() : at;
      const maxAttempts = spec.maxAttempts ?? queueDefaults.maxAttempts;
      const priority = spec.priority ?? 0;
      let jobId: number | undefined;
      if (spec.jobKey !== undefined) {
        // Replace the pending (or failed, or abandoned) job that owns the key; a running one keeps running.
        const replaced = await sql<{ id: number }>`
          update queue_jobs
             set task = ${spec.task}, payload = ${payload}, run_at = ${runAt}, max_attempts = ${maxAttempts},
                 priority = ${priority}, attempts = 0, failed_at = null, last_error = null,
                 locked_by = null, locked_until = null
           where job_key = ${spec.jobKey} and (locked_until is null or locked_until < ${at})
          returning id`.execute(transaction);
        jobId = replaced.rows[0]?.id;
        // The running job hands the key over; its key_group still keeps the newcomer waiting until it finishes.
        if (jobId === undefined)
          await sql`update queue_jobs set job_key = null where job_key = ${spec.jobKey}`.execute(transaction);
      }
      if (jobId === undefined) {
        const inserted = await sql<{ id: number }>`
          insert into queue_jobs (task, payload, job_key, key_group, priority, run_at, attempts, max_attempts, created_at)
          values (${spec.task}, ${payload}, ${spec.jobKey ?? null}, ${spec.jobKey ?? null}, ${priority}, ${runAt}, 0, ${maxAttempts}, ${at})
          returning id`.execute(transaction);
        jobId = inserted.rows[0]!.id;
      }
      // The claim queues behind this transaction on the connection, so waking now finds the job once it commits.
      setImmediate(() => {
        for (const worker of workers) worker.wake();
      });
      return { jobId: String(jobId) };
    },

    async start(startOptions: StartOptions): Promise<RunningWorker> {
      const leaseMs = startOptions.leaseMs ?? queueDefaults.leaseMs;
      assertLeaseSettings(
        leaseMs,
        startOptions.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs(leaseMs, queueDefaults.heartbeatIntervalMs),
      );
      const log = startOptions.log ?? silentLogger;
      let workerId = `embedded-${process.pid}-${randomBytes(6).toString('hex')}`;
      let slotLock: SlotLock | undefined;
      // An in-memory database dies with its process: no restart can find its jobs, so it needs no identity.
      const file = startOptions.workerId === undefined ? undefined : await databaseFile(db);
      if (startOptions.workerId !== undefined && file !== undefined) {
        const slot = await claimWorkerSlot(startOptions.workerId, (id) => tryEmbeddedSlotLock(file, id));
        workerId = slot.slotId;
        slotLock = slot.lock;
        // The slot's lock was free: the process that claimed these jobs as this slot is dead. The attempt it was
        // running stays counted, as when a lease expires.
        const released = await sql<{ id: number }>`
          update queue_jobs set locked_by = null, locked_until = null where locked_by = ${workerId} returning id`.execute(
          db,
        );
        log.info(
          { workerId, released: released.rows.map((row) => String(row.id)) },
          released.rows.length > 0
            ? 'queue: worker started; released the jobs its previous process held when it died'
            : 'queue: worker started',
        );
      }
      const worker = startEmbeddedWorker({ db, clock, workerId, options: startOptions, log });
      workers.add(worker);
      let stopped: Promise<void> | undefined;
      const running: RunningWorker = {
        workerId,
        stop() {
          stopped ??= (async () => {
            await worker.stop();
            workers.delete(worker);
            started.delete(running);
            // Last: the slot stays locked until nothing of this worker can write any more.
            await slotLock?.release();
          })();
          return stopped;
        },
      };
      started.add(running);
      return running;
    },

    async cancel(target: CancelTarget): Promise<CancelResult> {
      const at = now();
      const deleted =
        'jobKey' in target
          ? await sql`delete from queue_jobs where job_key = ${target.jobKey} and (locked_until is null or locked_until < ${at})`.execute(
              db,
            )
          : await sql`delete from queue_jobs where id = ${Number(target.jobId)} and (locked_until is null or locked_until < ${at})`.execute(
              db,
            );
      let aborted = false;
      for (const worker of workers)
        aborted = worker.abort('jobKey' in target ? { jobKey: target.jobKey } : { jobId: target.jobId }) || aborted;
      return { removed: Number(deleted.numAffectedRows ?? 0n) > 0, aborted };
    },

    async getJob(jobId: string): Promise<JobSnapshot | undefined> {
      const row = (await sql<JobRow>`select * from queue_jobs where id = ${Number(jobId)}`.execute(db)).rows[0];
      if (!row) return undefined;
      const leased = row.locked_until !== null && row.locked_until >= now();
      const failed = row.failed_at !== null || (!leased && row.attempts >= row.max_attempts);
      return {
        jobId: String(row.id),
        task: row.task,
        jobKey: row.job_key ?? undefined,
        payload: JSON.parse(row.payload) as unknown,
        state: failed ? 'failed' : leased ? 'running' : 'pending',
        attempts: row.attempts,
        maxAttempts: row.max_attempts,
        runAt: new Date(row.run_at),
        lastError: row.last_error ?? undefined,
      };
    },

    async close() {
      await Promise.all([...started].map((running) => running.stop()));
    },
  };
}
