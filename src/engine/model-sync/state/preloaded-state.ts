// One run's view of its sync's state, held in memory: a sync whose state is small enough is read once at the start of
// the run (StateStore.forEachHash) into a Map of key → hash, and every batch is diffed against the Map instead
// of one diff statement per batch in the store. The Map stays equal to the stored state because executions of one
// sync never overlap (the queue keys jobs by sync): it is the state at the start plus what this run commits itself,
// and it takes a commit only once the store has committed it. A larger sync keeps the store's `differing`.
// Both ways decide the same (test/engine/model-sync runs the state suite and the mode scenarios on both).
import type { StateStore } from '../state-store.ts';

/**
 * About 70 bytes of V8 heap per entry besides its key's characters (measured: 117 B an entry for 24-character keys,
 * 157 B for 64, 349 B for 256, the longest key stored): the Map gives up past this estimate whatever the count.
 */
const entryOverhead = 70;
const maxBytes = 100 * 1024 * 1024;

/** Default for `ModelSyncOptions.preloadStateKeys`: about 60 MB of heap with 24-character keys. */
export const defaultPreloadStateKeys = 500_000;

/**
 * The store, with `differing` for `syncId` answered from memory when the sync's state holds at most `maxKeys` keys
 * (and fits the byte estimate); otherwise the store itself. Every call goes through to the store except that diff.
 */
export async function withPreloadedState(store: StateStore, syncId: string, maxKeys: number): Promise<StateStore> {
  if (maxKeys <= 0 || (await store.count(syncId)) > maxKeys) return store;
  const hashes = new Map<string, string>();
  let bytes = 0;
  let complete = true;
  await store.forEachHash(syncId, (key, hash) => {
    hashes.set(key, hash);
    bytes += entryOverhead + key.length;
    // Within the bound even if another writer added keys since the count (executions of one sync never overlap).
    complete = hashes.size <= maxKeys && bytes <= maxBytes;
    return complete;
  });
  if (!complete) return store;
  return {
    inProcess: true,
    async differing(id, records) {
      if (id !== syncId) return store.differing(id, records);
      const found = new Map<string, string | undefined>();
      for (const { key, hash } of records) {
        const stored = hashes.get(key);
        if (stored !== hash) found.set(key, stored);
      }
      return found;
    },
    async commit(id, change) {
      await store.commit(id, change);
      if (id !== syncId) return;
      for (const { key, hash } of change.upserts) hashes.set(key, hash);
      for (const key of change.deletes) hashes.delete(key);
    },
    async clear(id) {
      await store.clear(id);
      if (id === syncId) hashes.clear();
    },
    forEachHash: (id, take) => store.forEachHash(id, take),
    listUnseen: (id, executionId, options) => store.listUnseen(id, executionId, options),
    baseline: (id) => store.baseline(id),
    establishBaseline: (id, baseline) => store.establishBaseline(id, baseline),
    count: (id) => store.count(id),
  };
}
