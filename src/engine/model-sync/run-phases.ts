// Where one run's time goes, by phase, for the `Model sync completed` console line: reading the model, the engine's
// own work on the batches (map, diff, record logs), target writes, state commits, the worker's progress updates.
// Phases of the run's own flow nest (a batch's commit happens inside its batch); each is given its own time only,
// without the phases timed inside it, so they add up to the run. Work beside that flow (a target write in flight while
// the next batches are worked, delivery-pipeline.ts) is timed apart and overlaps them. A few clock reads per batch,
// none per row.
import { performance } from 'node:perf_hooks';

export interface RunPhases {
  /** Runs `work`, counting its time (less the phases timed inside it) to `phase`. */
  time<T>(phase: string, work: () => Promise<T>): Promise<T>;
  /** Runs `work` beside the run's own flow, counting its whole time to `phase` (which then overlaps the others). */
  timeBeside<T>(phase: string, work: () => Promise<T>): Promise<T>;
  /** The iterable's items, counting the time spent waiting for each to `phase`. */
  timeEach<T>(phase: string, items: AsyncIterable<T>): AsyncIterable<T>;
  /** Milliseconds by phase, rounded. */
  totals(): Record<string, number>;
}

export function createRunPhases(): RunPhases {
  const spent = new Map<string, number>();
  // The time of the phases timed inside the one running at each depth.
  const inner: number[] = [];
  const add = (phase: string, ms: number) => {
    spent.set(phase, (spent.get(phase) ?? 0) + ms);
    if (inner.length > 0) inner[inner.length - 1]! += ms;
  };
  return {
    async time(phase, work) {
      const started = performance.now();
      inner.push(0);
      try {
        return await work();
      } finally {
        const nested = inner.pop()!;
        const elapsed = performance.now() - started;
        spent.set(phase, (spent.get(phase) ?? 0) + elapsed - nested);
        if (inner.length > 0) inner[inner.length - 1]! += elapsed;
      }
    },
    async timeBeside(phase, work) {
      const started = performance.now();
      try {
        return await work();
      } finally {
        spent.set(phase, (spent.get(phase) ?? 0) + performance.now() - started);
      }
    },
    async *timeEach(phase, items) {
      const iterator = items[Symbol.asyncIterator]();
      try {
        for (;;) {
          const started = performance.now();
          const next = await iterator.next();
          add(phase, performance.now() - started);
          if (next.done) return;
          yield next.value;
        }
      } finally {
        await iterator.return?.();
      }
    },
    totals: () => Object.fromEntries([...spent].map(([phase, ms]) => [phase, Math.round(ms)])),
  };
}
