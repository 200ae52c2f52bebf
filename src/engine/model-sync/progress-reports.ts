// The counts so far, handed to `onProgress` (the worker writes them to the execution row) after each batch, without
// the batches waiting for it. On embedded SQLite that update queues behind the state commit in flight (one
// connection): awaited after every batch, it was a fifth of a backfill through a server (bench/model-sync). So one
// report runs at a time beside the next batches, and a report made while one runs replaces any waiting one: the row
// always gets the latest counts, in order, and the run waits for the last report before it ends (settle).
//
// Reports are also spaced by `intervalMs`: a batch takes a few milliseconds, and an update after each one was a
// hundred execution-row writes for a 100,000-row run, about 6% of the server's main thread in a run where 1% of the
// rows changed (bench/model-sync/end-to-end-probe.ts). A report made sooner waits, replaced by later ones, until the
// first report after the interval, or the end of the run; so the row is at most one batch behind the interval. Not a
// report whose delivered counts (insert, update, delete, upserts) moved: the row is where a retried attempt finds
// what the attempts before it delivered (the worker adds them up), so those go as soon as none runs, as before.
import type { ExecutionCounts } from './execution-counts.ts';

export interface ProgressReports {
  /** Reports a copy of `counts` now, or once the report running has ended and the interval has passed (at once if its
   * delivered counts moved). Throws a failed report's error. */
  report(counts: ExecutionCounts): void;
  /** Sends the report waiting, if any, and waits for it and the one running; throws the first failure. */
  settle(): Promise<void>;
  /** Waits for the report running, ignoring failures: the run has already failed for another reason. */
  drain(): Promise<void>;
}

export interface ProgressReportOptions {
  /** Least time between the starts of two reports, in ms. Default 0: every report goes as soon as none runs. */
  intervalMs?: number;
  /** The clock, in ms. Default Date.now. */
  nowMs?: () => number;
}

export function createProgressReports(
  onProgress: ((counts: ExecutionCounts) => Promise<void>) | undefined,
  { intervalMs = 0, nowMs = Date.now }: ProgressReportOptions = {},
): ProgressReports {
  let running: Promise<void> | undefined;
  let waiting: ExecutionCounts | undefined;
  let failure: { error: unknown } | undefined;
  let startedAt = Number.NEGATIVE_INFINITY;
  let delivered: string | undefined;
  const deliveredOf = (counts: ExecutionCounts) =>
    `${counts.insert} ${counts.update} ${counts.delete} ${counts.upserts}`;
  const due = (counts: ExecutionCounts) => nowMs() - startedAt >= intervalMs || deliveredOf(counts) !== delivered;
  const start = (counts: ExecutionCounts) => {
    startedAt = nowMs();
    delivered = deliveredOf(counts);
    let call: Promise<void>;
    try {
      call = onProgress!(counts);
    } catch (error: unknown) {
      call = Promise.reject(error);
    }
    running = call.then(
      () => {
        running = undefined;
        if (waiting && !failure && due(waiting)) startWaiting();
      },
      (error: unknown) => {
        failure ??= { error };
        running = undefined;
        waiting = undefined;
      },
    );
  };
  const startWaiting = () => {
    const next = waiting!;
    waiting = undefined;
    start(next);
  };
  const ended = async () => {
    while (running) await running;
  };
  return {
    report(counts) {
      if (!onProgress) return;
      if (failure) throw failure.error;
      if (running || !due(counts)) waiting = { ...counts };
      else {
        // Any report waiting is older than this one.
        waiting = undefined;
        start({ ...counts });
      }
    },
    async settle() {
      await ended();
      if (waiting && !failure) {
        startWaiting();
        await ended();
      }
      if (failure) throw failure.error;
    },
    drain: ended,
  };
}
