// Where a state cache (state-cache.ts) keeps its entries across a restart: written when the worker stops, read back
// by the first run of each sync in the next process. Implementation: src/persistence/state-cache-files.ts (one file
// per sync under the data dir, and a journal beside it).
//
// A saved entry says what the stored state held at one generation token. Each commit a process makes after that (from
// a restored or saved entry on) is appended to the entry's journal: the token it moved from, the one it moved to, and
// what it wrote. An entry is used only when the stored token is the saved one, or the one its journal's unbroken
// chain of commits ends at: a crash after the save, a run on another worker, a reset, or a commit whose append was
// lost make it worthless, never wrong.

/** One sync's entry as saved: plain data, independent of the cache's objects. */
export interface SavedStateEntry {
  syncId: string;
  /** The sync's generation token the entry matched when it was saved. */
  generation: string;
  /** Every stored key is among `keys`. */
  complete: boolean;
  /** Per key (parallel arrays): the key, and what the state holds for it (canonical JSON or hash). */
  keys: string[];
  kept: string[];
  /** The last run's rows in its read order (RowMemo), when it noted any. */
  rows?: SavedRows;
  /** The commits since the save, in order, the first from `generation`: what `read` was asked for is the entry with
   * them applied. Their keys' memo rows no longer tell. */
  changes?: SavedChange[];
}

/** One commit since an entry was saved: the stored token moved from `from` to `to`, with these writes. */
export interface SavedChange {
  from: string;
  to: string;
  /** Keys and what the state now holds for them (canonical JSON or hash), as pairs: key, kept, key, kept, … */
  upserts: string[];
  deletes: string[];
}

export interface SavedRows {
  /** What the values are taken by (RowMemo.layout). */
  layout: string;
  /** Per row, the index in `keys` of its key: the row's slot, which holds the JSON the row's values make. */
  slots: number[];
  /** Per row, its model values (each a SavableValue), in the layout's order. */
  values: unknown[][];
}

/** The model values an archive keeps exactly, such that `===` holds after a read as before: a row with any other
 * (a Date, a Buffer, a bigint, an object) is left out of a saved memo, and goes the slot's way next run. */
export const isSavableValue = (value: unknown): boolean =>
  value === null ||
  value === undefined ||
  typeof value === 'string' ||
  typeof value === 'number' ||
  typeof value === 'boolean';

export interface StateCacheArchive {
  /** The sync's saved entry when it was saved at `generation`, or earlier with journaled changes that end there;
   * otherwise undefined (and a stale one is removed). */
  read(syncId: string, generation: string): Promise<SavedStateEntry | undefined>;
  /** Saves the entries, each replacing the sync's earlier one (and its journal) whole, or not at all. `pause` is
   * awaited between the steps of encoding a large entry (default: a turn of the event loop). */
  write(entries: readonly SavedStateEntry[], options?: { pause?: () => Promise<void> }): Promise<void>;
  /** Appends commits, in order, to the sync's journal; one that does not follow the last (or the saved entry) breaks
   * the chain, and the entry is then not used. */
  append(syncId: string, changes: readonly SavedChange[]): Promise<void>;
  /** Forgets the sync's saved entry and journal (the sync's state was cleared). */
  discard(syncId: string): Promise<void>;
  /** The syncs it holds an entry of, as their files say (unchecked: `read` checks), the most recently changed first. */
  savedSyncIds(): Promise<string[]>;
}
