// Change-detection state: per sync, per identity key, the hash of the values last delivered to the
// target (and the target identity value, to address deletions). Implementations: state/ (in-memory
// and Kysely on the metadata database); all run test/engine/model-sync/state-store-cases.ts.
import type { Row } from '../../connectors/records.ts';

export interface RecordState {
  key: string;
  hash: string;
  /** The target identity fields and values, e.g. `{ "email": "a@x" }`: what a delete is sent with. */
  identity: Row;
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
   * True when the store answers in this process, with no round trip (memory, embedded SQLite). A run then diffs each
   * batch in the store instead of preloading the sync's state by default: on SQLite, reading 100,000 states into a
   * Map cost as much as the 100 diff statements it saves (bench/README.md, model sync).
   */
  readonly inProcess: boolean;
  /**
   * The diff: of `records` (key and current hash), those whose stored hash differs, by key, with the stored hash,
   * or undefined for a key with no state. A key whose stored hash is the same is left out, so a batch of unchanged
   * records returns an empty map (the store compares, and nothing is returned per unchanged record).
   */
  differing(syncId: string, records: ReadonlyArray<{ key: string; hash: string }>): Promise<Map<string, string | undefined>>;
  commit(syncId: string, change: StateChange): Promise<void>;
  /**
   * Hands `take` every stored (key, hash) of the sync, in no particular order, until it returns false: how a run
   * preloads a small sync's state. Reads in pages, so memory holds one page besides what `take` keeps.
   */
  forEachHash(syncId: string, take: (key: string, hash: string) => boolean): Promise<void>;
  /** State rows this execution has not seen, in key order after `afterKey`, at most `limit`. */
  listUnseen(syncId: string, executionId: string, options: { afterKey?: string; limit: number }): Promise<RecordState[]>;
  /** Set once the first execution (backfill or skipped backfill) has completed. */
  baseline(syncId: string): Promise<Baseline | undefined>;
  establishBaseline(syncId: string, baseline: Baseline): Promise<void>;
  /** Forgets a sync (deleted sync, or a reset asked for by the user). */
  clear(syncId: string): Promise<void>;
  count(syncId: string): Promise<number>;
}
