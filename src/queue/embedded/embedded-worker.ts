// One embedded worker: a claim loop bounded by `concurrency`, a lease-renewal heartbeat, and the SQL that records how
// each run ended. Every write after the claim is guarded by `locked_by = workerId`, so a worker that lost its lease
// (it stalled past leaseMs and another worker took the job) cannot overwrite the new owner's state.
import { sql } from 'kysely';
import type { Clock } from '../../domain/clock.ts';
import type { RunLogger } from '../../domain/run-context.ts';
import type { StartOptions } from '../job-queue.ts';
import { queueDefaults } from '../job-queue.ts';
import { createJobRuns, AbortReason, type JobOutcome } from '../job-runs.ts';
import { defaultHeartbeatIntervalMs, startLeaseHeartbeat } from '../lease-heartbeat.ts';
import { decideRetry, failureMessage } from '../retry-policy.ts';
import { claimNextJob, type ClaimedRow } from './embedded-claim.ts';
import type { QueueDatabase } from './embedded-queue-tables.ts';

export interface EmbeddedWorker {
  wake(): void;
  abort(match: { jobId?: string; jobKey?: string }): boolean;
  stop(): Promise<void>;
}

export interface EmbeddedWorkerDependencies {
  db: QueueDatabase;
  clock: Clock;
  workerId: string;
  options: StartOptions;
  log: RunLogger;
}

export function startEmbeddedWorker({ db, clock, workerId, options, log }: EmbeddedWorkerDependencies): EmbeddedWorker {
  const concurrency = options.concurrency ?? queueDefaults.concurrency;
  const pollIntervalMs = options.pollIntervalMs ?? queueDefaults.pollIntervalMs;
  const leaseMs = options.leaseMs ?? queueDefaults.leaseMs;
  const heartbeatIntervalMs =
    options.heartbeatIntervalMs ?? defaultHeartbeatIntervalMs(leaseMs, queueDefaults.heartbeatIntervalMs);
  const now = () => clock.nowMs();
  const tasks = Object.keys(options.tasks);
  const runs = createJobRuns(options);
  const finishing = new Set<Promise<void>>();
  let stopping = false;
  let wakeLoop: (() => void) | undefined;

  const wake = () => {
    const resolve = wakeLoop;
    wakeLoop = undefined;
    resolve?.();
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => wake(), ms);
      wakeLoop = () => {
        clock.clearTimeout(timer);
        resolve();
      };
    });

  const finish = async (row: ClaimedRow, outcome: JobOutcome) => {
    const guard = sql`id = ${row.id} and locked_by = ${workerId}`;
    if (outcome.kind === 'succeeded' || outcome.kind === 'cancelled') {
      await sql`delete from queue_jobs where ${guard}`.execute(db);
      return;
    }
    if (outcome.kind === 'interrupted') {
      // Shutdown or lost lease is not the job's fault: give the attempt back.
      await sql`update queue_jobs set locked_by = null, locked_until = null, attempts = max(attempts - 1, 0) where ${guard}`.execute(
        db,
      );
      return;
    }
    if (outcome.kind === 'deferred') {
      await sql`update queue_jobs set locked_by = null, locked_until = null, attempts = max(attempts - 1, 0), last_error = ${failureMessage(outcome.error)}, run_at = ${now() + outcome.delayMs} where ${guard}`.execute(
        db,
      );
      return;
    }
    const decision = decideRetry(outcome.error, row.attempts, row.max_attempts);
    const message = failureMessage(outcome.error);
    log.warn(
      { jobId: String(row.id), task: row.task, attempt: row.attempts, decision, error: message },
      'queue: job failed',
    );
    if (decision.kind === 'retry') {
      await sql`update queue_jobs set locked_by = null, locked_until = null, last_error = ${message}, run_at = ${now() + decision.delayMs} where ${guard}`.execute(
        db,
      );
    } else {
      await sql`update queue_jobs set locked_by = null, locked_until = null, last_error = ${message}, failed_at = ${now()} where ${guard}`.execute(
        db,
      );
    }
  };

  const execute = (row: ClaimedRow) => {
    const handler = options.tasks[row.task]!;
    const jobId = String(row.id);
    runningIds.add(jobId);
    const running = runs
      .run(
        {
          jobId: String(row.id),
          task: row.task,
          jobKey: row.key_group ?? undefined,
          payload: JSON.parse(row.payload) as unknown,
          attempt: row.attempts,
        },
        handler,
      )
      .then((outcome) => finish(row, outcome))
      .catch((error: unknown) =>
        log.error(
          { err: error, jobId: String(row.id) },
          'queue: could not record the end of a job; its lease will expire',
        ),
      )
      .finally(() => {
        runningIds.delete(jobId);
        finishing.delete(running);
        wake();
      });
    finishing.add(running);
  };

  const runningIds = new Set<string>();
  const renewLeases = async () => {
    if (runningIds.size === 0) return;
    const running = [...runningIds];
    // Renews every job this worker holds in one statement; a job missing from the answer was taken over.
    const held = await sql<{
      id: number;
    }>`update queue_jobs set locked_until = ${now() + leaseMs} where locked_by = ${workerId} returning id`.execute(db);
    const stillHeld = new Set(held.rows.map((row) => String(row.id)));
    for (const jobId of running) if (!stillHeld.has(jobId)) runs.abort({ jobId }, AbortReason.interrupted);
  };
  const heartbeat = startLeaseHeartbeat({
    clock,
    intervalMs: heartbeatIntervalMs,
    renew: renewLeases,
    onError: (error) => log.warn({ err: error }, 'queue: lease renewal failed; retrying next heartbeat'),
  });

  const loop = async () => {
    while (!stopping) {
      while (!stopping && runs.size < concurrency) {
        let row: ClaimedRow | undefined;
        try {
          row = await claimNextJob(db, workerId, tasks, now(), leaseMs);
        } catch (error: unknown) {
          log.warn({ err: error }, 'queue: claim failed; retrying after the poll interval');
          break;
        }
        if (!row || stopping) {
          // Stopping between claim and run: hand the job straight back.
          if (row) await finish(row, { kind: 'interrupted', error: new Error('worker stopping') });
          break;
        }
        execute(row);
      }
      if (stopping) break;
      await sleep(pollIntervalMs);
    }
  };
  const looping = loop();

  let stopped: Promise<void> | undefined;
  return {
    wake,
    abort: (match) => runs.abort(match, AbortReason.cancelled),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake();
        await looping;
        await runs.drain(options.stopTimeoutMs ?? queueDefaults.stopTimeoutMs);
        await Promise.all([...finishing]);
        await heartbeat.stop();
      })();
      return stopped;
    },
  };
}
