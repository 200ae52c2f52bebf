// The counts so far, handed to `onProgress` (the worker writes them to the execution row) after each batch, without
// the batches waiting for it. On embedded SQLite that update queues behind the state commit in flight (one
// connection): awaited after every batch, it was a fifth of a backfill through a server (bench/model-sync). So one
// report runs at a time beside the next batches, and a report made while one runs replaces any waiting one: the row
// always gets the latest counts, in order, and the run waits for the last report before it ends (settle).
import type { ExecutionCounts } from './execution-counts.ts';

export interface ProgressReports {
  /** Reports a copy of `counts` now, or once the report running has ended. Throws a failed report's error. */
  report(counts: ExecutionCounts): void;
  /** Waits for the report running and the one waiting; throws the first failure. */
  settle(): Promise<void>;
  /** Waits for them, ignoring failures: the run has already failed for another reason. */
  drain(): Promise<void>;
}

export function createProgressReports(
  onProgress: ((counts: ExecutionCounts) => Promise<void>) | undefined,
): ProgressReports {
  let running: Promise<void> | undefined;
  let waiting: ExecutionCounts | undefined;
  let failure: { error: unknown } | undefined;
  const start = (counts: ExecutionCounts) => {
    let call: Promise<void>;
    try {
      call = onProgress!(counts);
    } catch (error: unknown) {
      call = Promise.reject(error);
    }
    running = call.then(
      () => {
        running = undefined;
        const next = waiting;
        waiting = undefined;
        if (next && !failure) start(next);
      },
      (error: unknown) => {
        failure ??= { error };
        running = undefined;
        waiting = undefined;
      },
    );
  };
  const ended = async () => {
    while (running) await running;
  };
  return {
    report(counts) {
      if (!onProgress) return;
      if (failure) throw failure.error;
      if (running) waiting = { ...counts };
      else start({ ...counts });
    },
    async settle() {
      await ended();
      if (failure) throw failure.error;
    },
    drain: ended,
  };
}
