// What this process remembers of each sync's state across runs, so that a run diffs unchanged rows in memory instead
// of asking the store about every one. Most runs of a sync find most rows unchanged; with the cache warm, such a row
// costs a Map lookup and a string comparison (no store statement, and no hash when the record's canonical JSON is
// kept), where the store's diff cost as much as reading the row (bench/README.md, model sync).
//
// Why it stays right:
// - An entry holds, per key, the record's canonical JSON (when short) or its hash: exactly what the state holds,
//   because it is filled only from the store (preload, or rows the store's diff confirmed) and from this process's own
//   commits, after the store committed them.
// - Every commit replaces the sync's generation token (StateStore.generation). A run trusts an entry only when the
//   token is still the one the entry's last commit returned: another process's write, a reset (clear) or state
//   older than the token shows as a different token or none, and the entry is dropped.
// - A commit that fails leaves the state unknown: the entry is emptied and its run asks the store from then on.
// - Executions of one sync never overlap (the queue keys jobs by sync), so nothing changes the state during a run
//   except the run itself.
// - An entry need not hold every key: a key it lacks is diffed in the store (unless the entry is complete, i.e.
//   preloaded whole or started from an empty state). So the memory bound is kept by leaving keys out, never by
//   guessing.
import { jsonHash } from '../record-hash.ts';
import type { DiffRecord, StateStore } from '../state-store.ts';

/** About 70 bytes of V8 heap per Map entry besides its strings (measured for the preload: 117 B for a 24-character
 * key and a 22-character hash). Strings are counted a byte a character (V8's one-byte strings). */
const entryOverhead = 70;

/** The canonical JSON is kept instead of the hash up to this length: a comparison instead of a SHA-256 per unchanged
 * row, for at most this many more bytes. Longer records keep their 22-character hash. */
export const maxKeptJsonLength = 128;

/** Default process budget (FERRY_STATE_CACHE_MB): about 500,000 rows of a short record, or 1,000,000 with hashes. */
export const defaultStateCacheBytes = 128 * 1024 * 1024;

/** Default for `ModelSyncOptions.preloadStateKeys`: a cold entry of a store a round trip away is read whole when the
 * sync's state holds at most this many keys. */
export const defaultPreloadStateKeys = 500_000;

interface Entry {
  syncId: string;
  /** The token the stored state had when this entry last matched it; undefined while unknown (during a commit). */
  generation: string | undefined;
  /** Key → canonical JSON (starts with "{") or hash. */
  values: Map<string, string>;
  /** Every stored key is in `values`: a key it lacks has no state. */
  complete: boolean;
  bytes: number;
}

export interface StateCacheOptions {
  /** Budget for every sync's entries together, estimated. 0 turns the cache off: every batch is diffed in the store. */
  maxBytes?: number;
}

export interface OpenOptions {
  /**
   * A cold entry is preloaded (the sync's state read whole) when the sync has at most this many keys; otherwise it
   * warms up from the store's diffs. Worth it where the store is a round trip away: a store in this process diffs a
   * batch about as fast as the preload reads it. Default defaultPreloadStateKeys.
   */
  preloadKeys?: number;
}

export interface StateCache {
  /**
   * The store, for this run of `syncId`: `differing` answered from the entry where it can (the rest from the store),
   * commits and clears passing through and updating the entry.
   */
  open(store: StateStore, syncId: string, options?: OpenOptions): Promise<StateStore>;
  /** Estimated bytes held (tests, metrics). */
  readonly bytes: number;
}

const keptValue = (record: { hash: string; json?: string }): string => (record.json !== undefined && record.json.length <= maxKeptJsonLength ? record.json : record.hash);

/** Whether a kept value (StateStore.remembered) is the record's canonical JSON, not its hash (base64url, no "{"). */
export const isKeptJson = (value: string): boolean => value.charCodeAt(0) === 123;

export function createStateCache(options: StateCacheOptions = {}): StateCache {
  const maxBytes = options.maxBytes ?? defaultStateCacheBytes;
  // In least-recently-opened order: a Map iterates in insertion order, and open re-inserts.
  const entries = new Map<string, Entry>();
  let total = 0;

  const drop = (entry: Entry) => {
    if (entries.get(entry.syncId) === entry) {
      entries.delete(entry.syncId);
      total -= entry.bytes;
    }
  };
  const held = (entry: Entry) => entries.get(entry.syncId) === entry;

  const forget = (entry: Entry, key: string) => {
    const value = entry.values.get(key);
    if (value === undefined) return;
    entry.values.delete(key);
    const size = entryOverhead + key.length + value.length;
    entry.bytes -= size;
    if (held(entry)) total -= size;
  };

  /** Keeps key → value when the budget allows (evicting other syncs first); otherwise the entry is no longer complete. */
  const remember = (entry: Entry, key: string, value: string) => {
    forget(entry, key);
    const size = entryOverhead + key.length + value.length;
    if (held(entry)) {
      for (const other of entries.values()) {
        if (total + size <= maxBytes) break;
        if (other !== entry) drop(other);
      }
    }
    if (!held(entry) || total + size > maxBytes) {
      entry.complete = false;
      return;
    }
    entry.values.set(key, value);
    entry.bytes += size;
    total += size;
  };

  async function coldEntry(store: StateStore, syncId: string, generation: string | undefined, preloadKeys: number): Promise<Entry> {
    const entry: Entry = { syncId, generation, values: new Map(), complete: false, bytes: 0 };
    entries.set(syncId, entry);
    const count = await store.count(syncId);
    if (count === 0) {
      entry.complete = true;
      return entry;
    }
    if (count > preloadKeys) return entry;
    let complete = true;
    await store.forEachHash(syncId, (key, hash) => {
      remember(entry, key, hash);
      // Whatever remember could not keep, the store still has: stop reading and diff the rest there.
      complete = entry.values.has(key);
      return complete;
    });
    entry.complete = complete && entry.values.size >= count;
    return entry;
  }

  return {
    get bytes() {
      return total;
    },
    async open(store, syncId, { preloadKeys = defaultPreloadStateKeys } = {}) {
      if (maxBytes === 0) return store;
      const generation = await store.generation(syncId);
      let entry = entries.get(syncId);
      if (entry && (generation === undefined || entry.generation !== generation)) {
        drop(entry);
        entry = undefined;
      }
      if (entry) {
        // Most recently used last.
        entries.delete(syncId);
        entries.set(syncId, entry);
      } else {
        entry = await coldEntry(store, syncId, generation, preloadKeys);
      }
      return view(store, entry);
    },
  };

  function view(store: StateStore, entry: Entry): StateStore {
    const { syncId } = entry;
    return {
      inProcess: true,
      async differing(id, records) {
        if (id !== syncId) return store.differing(id, records);
        const found = new Map<string, string | undefined>();
        const unknown: DiffRecord[] = [];
        for (const record of records) {
          const kept = entry.values.get(record.key);
          if (kept === undefined) {
            if (entry.complete) found.set(record.key, undefined);
            else unknown.push(record);
          } else if (isKeptJson(kept)) {
            // The hash of the kept JSON is what the state holds; it is needed only when the record changed.
            const same = record.json !== undefined ? kept === record.json : jsonHash(kept) === record.hash;
            if (!same) found.set(record.key, jsonHash(kept));
          } else if (kept !== record.hash) {
            found.set(record.key, kept);
          }
        }
        if (unknown.length === 0) return found;
        const asked = await store.differing(id, unknown);
        for (const record of unknown) {
          if (asked.has(record.key)) found.set(record.key, asked.get(record.key));
          // Confirmed unchanged by the store: this run's view of the state, and the next run's.
          else remember(entry, record.key, keptValue(record));
        }
        return found;
      },
      remembered(id, key) {
        return id === syncId ? entry.values.get(key) : undefined;
      },
      async commit(id, change) {
        if (id !== syncId) return store.commit(id, change);
        const before = entry.generation;
        entry.generation = undefined;
        let generation: string | undefined;
        try {
          generation = await store.commit(id, change);
        } catch (error: unknown) {
          // Committed or not, nobody can tell: remember nothing, and diff the rest of this run in the store.
          drop(entry);
          entry.values.clear();
          entry.bytes = 0;
          entry.complete = false;
          throw error;
        }
        entry.generation = generation ?? before;
        for (const state of change.upserts) remember(entry, state.key, keptValue(state));
        for (const key of change.deletes) forget(entry, key);
        return generation;
      },
      async clear(id) {
        if (id === syncId) {
          drop(entry);
          entry.values.clear();
          entry.bytes = 0;
          entry.complete = true;
          entry.generation = undefined;
        }
        await store.clear(id);
      },
      generation: (id) => store.generation(id),
      forEachHash: (id, take) => store.forEachHash(id, take),
      listUnseen: (id, executionId, options) => store.listUnseen(id, executionId, options),
      baseline: (id) => store.baseline(id),
      establishBaseline: (id, baseline) => store.establishBaseline(id, baseline),
      count: (id) => store.count(id),
    };
  }
}
