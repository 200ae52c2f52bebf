// Where a state cache (state-cache.ts) keeps its entries across a restart: written when the worker stops, read back
// by the first run of each sync in the next process. Implementation: src/persistence/state-cache-files.ts (one file
// per sync under the data dir).
//
// A saved entry says what the stored state held at one generation token. It is used only when the stored token is
// still that one, so a crash after the save, a run on another worker, or a reset make it worthless, never wrong.

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
  /** The sync's saved entry when it was saved at `generation`; otherwise undefined (and a stale one is removed). */
  read(syncId: string, generation: string): Promise<SavedStateEntry | undefined>;
  /** Saves the entries, each replacing the sync's earlier one whole, or not at all. */
  write(entries: readonly SavedStateEntry[]): Promise<void>;
  /** Forgets the sync's saved entry (the sync's state was cleared). */
  discard(syncId: string): Promise<void>;
  /** The syncs it holds an entry of, as their files say (unchecked: `read` checks). */
  savedSyncIds(): Promise<string[]>;
}
