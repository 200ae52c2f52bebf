// What the parallel-range tests share: a checkpoint store that records every save and can "crash" the process at one
// of them, and the ranges a ranged copy's checkpoint carries.
import type { BulkCheckpoint, CheckpointStore } from '../../../src/engine/bulk/checkpoint-store.ts';

export interface RangeProgress {
  kind: string;
  ranges: { lower: unknown; upper: unknown; after: unknown; done: boolean }[];
}

/** The ranges' progress a checkpoint holds, or undefined when it holds a plain cursor (one stream). */
export function rangesOf(save: BulkCheckpoint): RangeProgress | undefined {
  const cursor = save.cursor as RangeProgress | null;
  return cursor?.kind === 'copy_ranges' ? cursor : undefined;
}

/** Records every checkpoint; with `crashAt`, the process "dies" (the run is aborted) at that loading save. */
export function recordingStore(inner: CheckpointStore, crashAt?: { save: number; abort: () => void }) {
  const saves: BulkCheckpoint[] = [];
  let loadingSaves = 0;
  const store: CheckpointStore = {
    ...inner,
    async save(checkpoint) {
      if (checkpoint.phase === 'loading' && checkpoint.rows > 0) {
        loadingSaves += 1;
        if (crashAt && loadingSaves === crashAt.save) {
          crashAt.abort();
          throw new Error('simulated crash between the commit and its checkpoint');
        }
      }
      saves.push(structuredClone(checkpoint));
      await inner.save(checkpoint);
    },
  };
  return { store, saves };
}

/** The rows the attempt that resumed committed, past those the crashed attempt's last checkpoint counted. */
export function rowsCopiedAgain(crashed: BulkCheckpoint[], resumed: BulkCheckpoint[]): number {
  const loaded = (saves: BulkCheckpoint[]) => saves.filter((save) => save.phase === 'loading').at(-1)?.rows ?? 0;
  return loaded(resumed) - loaded(crashed);
}
