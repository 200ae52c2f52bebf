// How much heap a stream of batches keeps alive while it is consumed: a full collection every few batches, so the
// reading counts what the reader holds, not garbage waiting for the collector.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Consumes `batches`, calling `onBatch` for each; returns the rows seen and the peak heap retained above the start. */
export async function peakRetainedHeap<T>(
  batches: AsyncIterable<T[]>,
  options: { every: number; onBatch?: (batch: T[], seenBefore: number) => void },
): Promise<{ seen: number; peak: number }> {
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  let peak = 0;
  let seen = 0;
  let count = 0;
  for await (const batch of batches) {
    options.onBatch?.(batch, seen);
    seen += batch.length;
    count += 1;
    if (count % options.every === 0) {
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
    }
  }
  return { seen, peak };
}
