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
  /** The stored hash of those of `keys` that have a state, by key: all the diff needs (a delete's identity comes
   * from listUnseen). */
  lookup(syncId: string, keys: readonly string[]): Promise<Map<string, string>>;
  commit(syncId: string, change: StateChange): Promise<void>;
  /** State rows this execution has not seen, in key order after `afterKey`, at most `limit`. */
  listUnseen(syncId: string, executionId: string, options: { afterKey?: string; limit: number }): Promise<RecordState[]>;
  /** Set once the first execution (backfill or skipped backfill) has completed. */
  baseline(syncId: string): Promise<Baseline | undefined>;
  establishBaseline(syncId: string, baseline: Baseline): Promise<void>;
  /** Forgets a sync (deleted sync, or a reset asked for by the user). */
  clear(syncId: string): Promise<void>;
  count(syncId: string): Promise<number>;
}
