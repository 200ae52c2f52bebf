// Change-detection state: per sync, per identity key, the hash of the values last delivered to the
// target (and the target identity value, to address deletions). Implementations:
// state/in-memory-state-store.ts and src/persistence/stores/kysely-state-store.ts (the metadata database); both
// run test/engine/model-sync/state-store-cases.ts.
import type { Row } from '../../connectors/records.ts';

export interface RecordState {
  key: string;
  hash: string;
  /** The target identity fields and values, e.g. `{ "email": "a@x" }`: what a delete is sent with. */
  identity: Row;
  /**
   * The canonical JSON the hash was taken of, when the run has it. Stores ignore it; the state cache
   * (state/state-cache.ts) keeps a short one, so that the next run compares values without hashing them.
   */
  json?: string;
  /** The model values the record and its key were made of, in the run's layout (recordValueSources), when the run has
   * them: the state cache notes the delivered row for the next run's fast lane. Stores ignore it. */
  values?: unknown[];
}

/** A record to diff: its key and hash, and the canonical JSON the hash is (or would be) taken of. The hash may be a
 * getter computed on first read: a cache that answers from the JSON never asks for it. */
export interface DiffRecord {
  readonly key: string;
  readonly hash: string;
  readonly json?: string;
  /** The model values the record and key were made of (RecordState.values), when the run notes rows: a state cache
   * notes a record the store confirms unchanged for the next run. Stores ignore it. */
  readonly values?: unknown[];
}

/** One batch's change, committed atomically after the target accepted the batch. */
export interface StateChange {
  executionId: string;
  /** Delivered records: insert or overwrite their state; they count as seen by this execution. */
  upserts: RecordState[];
  /** Keys whose target record was deleted. */
  deletes: string[];
  /** Keys present in the model this execution (replace mode only), so that the rest can be found. */
  seen: string[];
}

export interface Baseline {
  executionId: string;
  establishedAt: string;
}

export interface StateStore {
  /**
   * True when the store answers in this process, with no round trip (memory, embedded SQLite). A run whose state
   * cache is cold then diffs each batch in the store instead of preloading the sync's state by default: on SQLite,
   * reading 100,000 states into the cache cost as much CPU as the 100 diff statements it saves (bench/model-sync,
   * run 5: 569–752 against 598–815 ms, alternating).
   */
  readonly inProcess: boolean;
  /**
   * The diff: of `records` (key and current hash), those whose stored hash differs, by key, with the stored hash,
   * or undefined for a key with no state. A key whose stored hash is the same is left out, so a batch of unchanged
   * records returns an empty map (the store compares, and nothing is returned per unchanged record).
   */
  differing(syncId: string, records: ReadonlyArray<DiffRecord>): Promise<Map<string, string | undefined>>;
  /**
   * Applies the change in one transaction, which also replaces the sync's generation token: the new token, or
   * undefined for an empty change (nothing written, the token stays).
   */
  commit(syncId: string, change: StateChange): Promise<string | undefined>;
  /**
   * The sync's generation token: a random value replaced by every commit, and removed by clear. Undefined for a sync
   * with no token (never committed, cleared, or state older than the token). What a process remembers of the
   * state is good only while the token is the one its own last commit returned.
   */
  generation(syncId: string): Promise<string | undefined>;
  /**
   * Hands `take` every stored (key, hash) of the sync, in no particular order, until it returns false: how a run
   * preloads a small sync's state. Reads in pages, so memory holds one page besides what `take` keeps.
   */
  forEachHash(syncId: string, take: (key: string, hash: string) => boolean): Promise<void>;
  /** State rows this execution has not seen, in key order after `afterKey`, at most `limit`. */
  listUnseen(
    syncId: string,
    executionId: string,
    options: { afterKey?: string; limit: number },
  ): Promise<RecordState[]>;
  /** Set once the first execution (backfill or skipped backfill) has completed. */
  baseline(syncId: string): Promise<Baseline | undefined>;
  establishBaseline(syncId: string, baseline: Baseline): Promise<void>;
  /** Forgets a sync (deleted sync, or a reset asked for by the user). */
  clear(syncId: string): Promise<void>;
  count(syncId: string): Promise<number>;
}
