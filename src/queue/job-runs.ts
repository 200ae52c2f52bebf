// The jobs one worker runs right now, shared by both adapters: it builds each handler's context, keeps the abort
// controllers that cancel() and stop() reach, polls the cross-process cancel hook, and waits for the runs on stop.
import { silentLogger, type RunLogger } from '../domain/run-context.ts';
import type { JobHandler, RunningJobInfo, StartOptions } from './job-queue.ts';
import { queueDefaults } from './job-queue.ts';
import { retryHints } from './retry-policy.ts';

/** How a run ended; the adapter turns it into SQL (delete, retry, fail, release). */
export type JobOutcome =
  | { kind: 'succeeded' }
  /** cancel() or the isCancelled hook aborted it: the job is removed, never retried. */
  | { kind: 'cancelled' }
  /** stop() timed out or the lease was lost: the job goes back to the queue for another worker. */
  | { kind: 'interrupted'; error: unknown }
  /** The handler handed the job back (retryHints' deferMs): again after delayMs, this attempt not counted. */
  | { kind: 'deferred'; error: unknown; delayMs: number }
  | { kind: 'failed'; error: unknown };

export const AbortReason = {
  cancelled: 'cancelled',
  interrupted: 'interrupted',
} as const;
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

interface Run {
  info: RunningJobInfo;
  controller: AbortController;
  reason: AbortReason | undefined;
  settled: Promise<void>;
}

interface JobRunStart extends RunningJobInfo {
  attempt: number;
}

export interface JobRuns {
  readonly size: number;
  /** The ids of the jobs running now; a lease renewal compares them with what the database still says it holds. */
  jobIds(): string[];
  /** Runs the handler to completion and reports the outcome; never rejects. */
  run(job: JobRunStart, handler: JobHandler): Promise<JobOutcome>;
  /** Aborts matching runs; true when one was found. */
  abort(match: { jobId?: string; jobKey?: string }, reason: AbortReason): boolean;
  /** Waits up to timeoutMs for the runs to finish, aborts the rest as interrupted, then waits for them to settle. */
  drain(timeoutMs: number): Promise<void>;
  /** Resolves when a slot frees up (a run settles). */
  nextSettled(): Promise<void>;
}

export function createJobRuns(
  options: Pick<StartOptions, 'log' | 'onHeartbeat' | 'isCancelled' | 'cancelCheckIntervalMs'>,
): JobRuns {
  const log: RunLogger = options.log ?? silentLogger;
  const runs = new Map<string, Run>();
  let settleWaiters: Array<() => void> = [];
  let cancelTimer: NodeJS.Timeout | undefined;

  const pollCancelFlags = async () => {
    const isCancelled = options.isCancelled;
    if (!isCancelled) return;
    for (const run of [...runs.values()]) {
      if (run.reason) continue;
      try {
        if (await isCancelled(run.info)) abortRun(run, AbortReason.cancelled);
      } catch (error: unknown) {
        log.warn({ err: error, jobId: run.info.jobId }, 'queue: cancel check failed; will ask again');
      }
    }
  };

  const updateCancelTimer = () => {
    if (!options.isCancelled) return;
    if (runs.size > 0 && !cancelTimer) {
      cancelTimer = setInterval(
        () => void pollCancelFlags(),
        options.cancelCheckIntervalMs ?? queueDefaults.cancelCheckIntervalMs,
      );
      cancelTimer.unref();
    } else if (runs.size === 0 && cancelTimer) {
      clearInterval(cancelTimer);
      cancelTimer = undefined;
    }
  };

  const abortRun = (run: Run, reason: AbortReason) => {
    if (run.reason) return;
    run.reason = reason;
    run.controller.abort(new Error(`job ${run.info.jobId} ${reason}`));
  };

  return {
    get size() {
      return runs.size;
    },

    jobIds() {
      return [...runs.keys()];
    },

    async run(job, handler) {
      const controller = new AbortController();
      let markSettled!: () => void;
      const run: Run = {
        info: job,
        controller,
        reason: undefined,
        settled: new Promise((resolve) => (markSettled = resolve)),
      };
      runs.set(job.jobId, run);
      updateCancelTimer();
      try {
        await handler(job.payload, {
          signal: controller.signal,
          jobId: job.jobId,
          jobKey: job.jobKey,
          attempt: job.attempt,
          log,
          heartbeat(progress?: unknown) {
            options.onHeartbeat?.({ jobId: job.jobId, task: job.task, jobKey: job.jobKey, progress });
          },
        });
        return run.reason === AbortReason.cancelled ? { kind: 'cancelled' } : { kind: 'succeeded' };
      } catch (error: unknown) {
        if (run.reason === AbortReason.cancelled) return { kind: 'cancelled' };
        if (run.reason === AbortReason.interrupted) return { kind: 'interrupted', error };
        const deferMs = retryHints(error).deferMs;
        if (deferMs !== undefined) return { kind: 'deferred', error, delayMs: deferMs };
        return { kind: 'failed', error };
      } finally {
        runs.delete(job.jobId);
        updateCancelTimer();
        markSettled();
        const waiters = settleWaiters;
        settleWaiters = [];
        for (const wake of waiters) wake();
      }
    },

    abort(match, reason) {
      let found = false;
      for (const run of runs.values()) {
        if (
          (match.jobId !== undefined && run.info.jobId === match.jobId) ||
          (match.jobKey !== undefined && run.info.jobKey === match.jobKey)
        ) {
          abortRun(run, reason);
          found = true;
        }
      }
      return found;
    },

    async drain(timeoutMs) {
      const all = () => Promise.all([...runs.values()].map((run) => run.settled));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const result = await Promise.race([all().then(() => 'done' as const), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout') {
        log.warn({ running: runs.size, timeoutMs }, 'queue: stop timed out; aborting the jobs still running');
        for (const run of runs.values()) abortRun(run, AbortReason.interrupted);
        await all();
      }
      if (cancelTimer) clearInterval(cancelTimer);
      cancelTimer = undefined;
    },

    nextSettled() {
      return new Promise<void>((resolve) => settleWaiters.push(resolve));
    },
  };
}
