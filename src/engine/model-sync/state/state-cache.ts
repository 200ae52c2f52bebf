// What this process remembers of each sync's state across runs, so that a run diffs unchanged rows in memory instead
// of asking the store about every one. Most runs of a sync find most rows unchanged; with the cache warm, such a row
// costs a Map lookup and a comparison of text (no store statement, and no hash when the record's canonical JSON is
// kept), or, when the model is read in the same order as last time, not even that (RowMemo).
//
// Why it stays right:
// - An entry holds, per key, a slot with the record's canonical JSON (when short) or its hash: exactly what the state
//   holds, because it is filled only from the store (preload, or rows the store's diff confirmed) and from this
//   process's own commits, after the store committed them.
// - Every commit replaces the sync's generation token (StateStore.generation). A run trusts an entry only when the
//   token is still the one the entry's last commit returned: another process's write, a reset (clear) or state
//   older than the token shows as a different token or none, and the entry is dropped.
// - A commit that fails leaves the state unknown: the entry is emptied and its run asks the store from then on.
// - Executions of one sync never overlap (the queue keys jobs by sync), so nothing changes the state during a run
//   except the run itself.
// - An entry need not hold every key: a key it lacks is diffed in the store (unless the entry is complete, i.e.
//   preloaded whole or started from an empty state). So the memory bound is kept by leaving keys out, never by
//   guessing.
// - A memo row (RowMemo) holds its key's slot and the text the slot held when the row was noted; it tells only while
//   the slot still holds that text, so a commit since (an update, a delete, a duplicate identity) voids it.
// - Across a restart (StateCacheOptions.archive): `persist` saves every entry whose generation is known, when the
//   worker stops; the next process's first open of the sync restores it only when the stored token is still the
//   saved one, i.e. nothing was committed since the save. Anything else (no file, another token, a damaged file)
//   makes the entry cold, as without an archive.
// - Across a crash: an entry that was restored or saved has every later commit of this process appended to the
//   archive's journal once the store committed it (token before, token after, what was written), so the next process
//   restores the saved entry with those commits applied when the journal's chain of tokens ends at the stored one. A
//   commit not journaled (a crash between the store's commit and the append, a failed append) breaks the chain.
// - So that a crash finds something to extend: when a run ends (`ended`) and its entry has no saved copy being
//   journaled (never saved or restored, the journal full, or its chain broken), the entry is saved in the background
//   (one at a time), taken at one moment and written after. The commits from that moment are journaled, but appended
//   only once the file is written; one that cannot be (a failed save, no room) leaves the save short of the stored
//   token, and so unused.
import { ferryDefaults } from '../../../config.ts';
import { type Clock, systemClock } from '../../../domain/clock.ts';
import { jsonHash } from '../record-hash.ts';
import type { DiffRecord, StateStore } from '../state-store.ts';
import {
  isSavableValue,
  type SavedChange,
  type SavedRows,
  type SavedStateEntry,
  type StateCacheArchive,
} from './state-cache-archive.ts';

/** About 70 bytes of V8 heap per Map entry besides its strings (measured for the preload: 117 B for a 24-character
 * key and a 22-character hash), and a slot object. Strings are counted a byte a character (V8's one-byte strings). */
const entryOverhead = 90;

/** Estimated heap of a memo row besides its strings: four array slots, the values array, string headers. */
const memoRowOverhead = 96;

/** The canonical JSON is kept instead of the hash up to this length: a comparison instead of a SHA-256 per unchanged
 * row, for at most this many more bytes. Longer records keep their 22-character hash. */
export const maxKeptJsonLength = 128;

/** Default process budget (FERRY_STATE_CACHE_MB, 128 MB): about 400,000 rows of a short record with their memo rows. */
const defaultStateCacheBytes = ferryDefaults.stateCacheBytes;

/** An entry of fewer keys is not saved in the background when its run ends (`ended`). A cold run adds about 8 µs a key
 * to a warm one (bench/model-sync, run 5 against run 6), so below this a crash costs its first run under 8 ms, once;
 * the save costs 1–2 ms of CPU whatever the size below this (the file's fixed cost), paid again each time the journal
 * fills, which for a small entry is often. 100,000 keys cost about 200 ms to save against about 800 ms cold. */
export const defaultMinimumSavedKeys = 1000;

/** Before each step a background save waits for no run to be open (between `open` and `ended`) and the cache to be
 * quiet this long (no open, diff, commit or end of any run), so
 * that the runs under way go first; but not past `longestSaveWaitMs` in all, so that a busy worker saves too. */
const saveQuietMs = 50;
const longestSaveWaitMs = 5000;

/** Default for `ModelSyncOptions.preloadStateKeys`: a cold entry of a store a round trip away is read whole when the
 * sync's state holds at most this many keys. */
export const defaultPreloadStateKeys = ferryDefaults.preloadStateKeys;

/** What the state holds for one key: the record's canonical JSON (isKeptJson) or its hash; "" once deleted. */
interface StateSlot {
  kept: string;
}

/**
 * The rows a run found unchanged or delivered, in the order it met them, for the next run of the sync: a model read
 * in the same order meets them again one after another, and a row whose values are the very ones noted here is
 * unchanged without building, looking up or comparing any text, as long as its slot still holds what it held then.
 */
export interface RowMemo {
  /** What the values are taken by (the mapping and identity): a run with another cannot use them. */
  readonly layout: string;
  readonly keys: string[];
  readonly slots: StateSlot[];
  /** Per row, what the slot held when the row was noted: its record's canonical JSON. */
  readonly kept: string[];
  /** Per row, the model values its record and key are made of, in the layout's order. */
  readonly values: unknown[][];
  bytes: number;
}

/** The state cache's answers for a run's fast lane (model-sync-runner.ts), all from memory. */
export interface StateLane {
  /** The key's slot; undefined when only the store can tell (then `differing` does). */
  slot(key: string): StateSlot | undefined;
  /** The last run's rows, if it took their values by the same layout; this run's rows are noted by it. */
  previousRows(layout: string): RowMemo | undefined;
  /** Notes an unchanged row, in read order, for the next run (its slot holds the JSON `kept`). */
  rememberRow(key: string, slot: StateSlot, kept: string, values: unknown[]): void;
  /**
   * The key's slot holds the hash of `json`, as the run just found (a preloaded slot): from now on it holds the JSON
   * when short, which the next run compares without hashing and can note rows by. The slot, or undefined when the
   * budget left the key out.
   */
  confirm(key: string, json: string): StateSlot | undefined;
}

/** What StateCache.open returns: the store, and the fast lane's answers when the cache is on, with how many keys this
 * run's diffs asked of the store (0: the run found every row's state in memory). */
type CachedStateStore = StateStore & { readonly lane?: StateLane; readonly keysAskedOfStore?: number };

interface Entry {
  syncId: string;
  /** The token the stored state had when this entry last matched it; undefined while unknown (during a commit). */
  generation: string | undefined;
  slots: Map<string, StateSlot>;
  /** Every stored key is in `slots`: a key it lacks has no state. */
  complete: boolean;
  bytes: number;
  /** The layout this run's rows are noted by (StateLane.previousRows); none until the run says. */
  layout: string | undefined;
  /** The last run's rows, and this run's, for the next. */
  previousRows: RowMemo | undefined;
  rows: RowMemo | undefined;
  /** While the archive holds this entry as of `generation` (saved, and journaled since): the next commit from there is
   * appended, while `room` (keys written, counted against the saved keys) lasts. */
  journal: { generation: string; room: number } | undefined;
  /** Journaled commits not yet handed to the archive, and the append under way (none: nothing pending). */
  journalQueue: SavedChange[];
  journalWriting: Promise<void> | undefined;
}

export interface StateCacheOptions {
  /** Budget for every sync's entries together, estimated. 0 turns the cache off: every batch is diffed in the store. */
  maxBytes?: number;
  /** Where `persist` saves the entries and a cold open looks for the sync's saved one; none: nothing outlives the
   * process. */
  archive?: StateCacheArchive;
  /** An entry with fewer keys is not saved in the background at the end of its run; default defaultMinimumSavedKeys. */
  minimumSavedKeys?: number;
  /** What a background save waits for a quiet spell by (default: the system's). */
  clock?: Clock;
}

interface OpenOptions {
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
  open(store: StateStore, syncId: string, options?: OpenOptions): Promise<CachedStateStore>;
  /**
   * Saves every entry whose generation is known to the archive (none: nothing to do), for the next process: what a
   * worker does when it stops, after its runs ended. An entry whose commit is under way is left out.
   */
  persist(): Promise<void>;
  /**
   * Restores every saved entry whose sync's stored generation is still the saved one, as a worker does when it starts,
   * so that the first run after a restart finds its entry in memory instead of reading and decoding the file itself.
   * An open meanwhile waits for it. Entries that no longer match are removed from the archive.
   */
  restore(store: StateStore): Promise<void>;
  /**
   * A run of `syncId` that opened it has ended, its state committed (every `open` is paired with one `ended`, whatever
   * the run's outcome: a background save waits while a run is open). When the entry has no saved copy the archive
   * journals (never saved or restored, its journal full, its chain broken), it is saved in the background, after
   * this turn and one entry at a time, so that a crash from then on finds it (with the journal of the commits since).
   */
  ended(syncId: string): void;
  /** Resolves once every journal append queued so far, and the background saves, have been written (or have failed):
   * `persist` waits for it. */
  settled(): Promise<void>;
  /** Estimated bytes held (tests, metrics). */
  readonly bytes: number;
}

/** A memo row's estimated heap (noteRow's budget). */
function memoRowSize(key: string, values: readonly unknown[]): number {
  let size = memoRowOverhead + key.length + 8 * values.length;
  for (const value of values) if (typeof value === 'string') size += value.length;
  return size;
}

const keptValue = (record: { hash: string; json?: string }): string =>
  record.json !== undefined && record.json.length <= maxKeptJsonLength ? record.json : record.hash;

/** Whether a kept value is the record's canonical JSON, not its hash (base64url, no "{"). */
export const isKeptJson = (value: string): boolean => value.charCodeAt(0) === 123;

export function createStateCache(options: StateCacheOptions = {}): StateCache {
  const maxBytes = options.maxBytes ?? defaultStateCacheBytes;
  const archive = options.archive;
  const minimumSavedKeys = options.minimumSavedKeys ?? defaultMinimumSavedKeys;
  const clock = options.clock ?? systemClock;
  /** When a run last diffed or committed through the cache (a background save waits for a quiet spell). */
  let lastBusyMs = Number.NEGATIVE_INFINITY;
  /** Runs opened and not yet ended: a run whose rows all match the memo makes no diff or commit for most of its time,
   * so a quiet spell alone would let a background save take the cores from it. */
  let openRuns = 0;
  // In least-recently-opened order: a Map iterates in insertion order, and open re-inserts.
  const entries = new Map<string, Entry>();
  let total = 0;

  const held = (entry: Entry) => entries.get(entry.syncId) === entry;
  const drop = (entry: Entry) => {
    if (!held(entry)) return;
    entries.delete(entry.syncId);
    total -= entry.bytes;
  };
  const account = (entry: Entry, size: number) => {
    entry.bytes += size;
    if (held(entry)) total += size;
  };

  /** Makes room for `size` more bytes of `entry`, evicting other syncs first; false when there is none. */
  const room = (entry: Entry, size: number): boolean => {
    if (!held(entry)) return false;
    for (const other of entries.values()) {
      if (total + size <= maxBytes) break;
      if (other !== entry) drop(other);
    }
    return total + size <= maxBytes;
  };

  const forget = (entry: Entry, key: string) => {
    const slot = entry.slots.get(key);
    if (!slot) return;
    entry.slots.delete(key);
    account(entry, -(entryOverhead + key.length + slot.kept.length));
    // A memo row holding this slot no longer tells.
    slot.kept = '';
  };

  /** The key's slot now holds `value`, when the budget allows; otherwise the key is left out (the entry is then no
   * longer complete). */
  const remember = (entry: Entry, key: string, value: string): StateSlot | undefined => {
    const slot = entry.slots.get(key);
    const size = slot ? value.length - slot.kept.length : entryOverhead + key.length + value.length;
    if (!room(entry, size)) {
      forget(entry, key);
      entry.complete = false;
      return undefined;
    }
    account(entry, size);
    if (slot) {
      slot.kept = value;
      return slot;
    }
    const fresh = { kept: value };
    entry.slots.set(key, fresh);
    return fresh;
  };

  const noteRow = (entry: Entry, key: string, slot: StateSlot, kept: string, values: unknown[]) => {
    const layout = entry.layout;
    if (layout === undefined) return;
    const size = memoRowSize(key, values);
    // Past the budget the memo just stops: the rows it lacks go the longer way next run.
    if (!held(entry) || total + size > maxBytes) return;
    entry.rows ??= { layout, keys: [], slots: [], kept: [], values: [], bytes: 0 };
    const rows = entry.rows;
    rows.keys.push(key);
    rows.slots.push(slot);
    rows.kept.push(kept);
    rows.values.push(values);
    rows.bytes += size;
    account(entry, size);
  };

  /** Lets the last run's rows go (a new run begins). */
  const forgetPreviousRows = (entry: Entry) => {
    const memo = entry.previousRows;
    if (!memo) return;
    entry.previousRows = undefined;
    account(entry, -memo.bytes);
  };

  /** Forgets everything of the entry (its state is unknown) and stops holding it. */
  const empty = (entry: Entry) => {
    drop(entry);
    for (const slot of entry.slots.values()) slot.kept = '';
    entry.slots.clear();
    entry.previousRows = undefined;
    entry.rows = undefined;
    entry.bytes = 0;
    entry.complete = false;
    entry.journal = undefined;
  };

  const newEntry = (syncId: string, generation: string | undefined): Entry => {
    const entry: Entry = {
      syncId,
      generation,
      slots: new Map(),
      complete: false,
      bytes: 0,
      layout: undefined,
      previousRows: undefined,
      rows: undefined,
      journal: undefined,
      journalQueue: [],
      journalWriting: undefined,
    };
    entries.set(syncId, entry);
    return entry;
  };

  /** The restore at start (restore), which opens wait for. */
  let restoring: Promise<void> | undefined;

  async function coldEntry(
    store: StateStore,
    syncId: string,
    generation: string | undefined,
    preloadKeys: number,
  ): Promise<Entry> {
    const entry = newEntry(syncId, generation);
    const count = await store.count(syncId);
    if (count === 0) {
      entry.complete = true;
      return entry;
    }
    if (count > preloadKeys) return entry;
    let complete = true;
    await store.forEachHash(syncId, (key, hash) => {
      // Whatever remember could not keep, the store still has: stop reading and diff the rest there.
      complete = remember(entry, key, hash) !== undefined;
      return complete;
    });
    entry.complete = complete && entry.slots.size >= count;
    return entry;
  }

  /** The entry saved at `generation`, as the last process left it, when the archive has it and the budget holds it;
   * its rows become the previous rows of the run that opens it. */
  /** The sync's saved entry, when it is at `generation` and fits: making room drops the least recently opened
   * entries, unless `withoutEvicting` is given (the start's restore, which must not read files only to push out
   * others): it is then called when the entry did not fit. */
  async function restoredEntry(
    syncId: string,
    generation: string,
    withoutEvicting?: { full(): void },
  ): Promise<Entry | undefined> {
    // Unreadable is as good as absent: the entry starts cold.
    const saved = await archive?.read(syncId, generation).catch(() => undefined);
    if (!saved || saved.syncId !== syncId || !reaches(saved, generation)) return undefined;
    // Decoding and building a large entry are tens of milliseconds each: a turn of the event loop between them lets
    // the requests a starting server receives meanwhile through (a worker restores at its start).
    await new Promise<void>((resolve) => setImmediate(resolve));
    const entry = newEntry(syncId, generation);
    const slotList: StateSlot[] = new Array(saved.keys.length);
    for (let index = 0; index < saved.keys.length; index += 1) {
      const slot = { kept: saved.kept[index]! };
      slotList[index] = slot;
      entry.slots.set(saved.keys[index]!, slot);
    }
    // A key saved twice keeps its last slot; a memo row of the other would never tell, so the entry is not used.
    if (entry.slots.size !== saved.keys.length) {
      drop(entry);
      return undefined;
    }
    // The commits since the save, in order: a slot they changed or deleted no longer holds what its memo rows were
    // noted with, so those rows stop telling.
    let journaled = 0;
    for (const change of saved.changes ?? []) {
      journaled += change.upserts.length / 2 + change.deletes.length;
      for (let index = 0; index < change.upserts.length; index += 2) {
        const key = change.upserts[index]!;
        const slot = entry.slots.get(key);
        if (slot) slot.kept = change.upserts[index + 1]!;
        else entry.slots.set(key, { kept: change.upserts[index + 1]! });
      }
      for (const key of change.deletes) {
        const slot = entry.slots.get(key);
        if (!slot) continue;
        slot.kept = '';
        entry.slots.delete(key);
      }
    }
    let size = 0;
    for (const [key, slot] of entry.slots) size += entryOverhead + key.length + slot.kept.length;
    const { rows } = saved;
    let memo: RowMemo | undefined;
    if (rows && rows.slots.length > 0) {
      memo = { layout: rows.layout, keys: [], slots: [], kept: [], values: [], bytes: 0 };
      for (let row = 0; row < rows.slots.length; row += 1) {
        const at = rows.slots[row]!;
        memo.keys.push(saved.keys[at]!);
        memo.slots.push(slotList[at]!);
        memo.kept.push(saved.kept[at]!);
        memo.values.push(rows.values[row]!);
        memo.bytes += memoRowSize(saved.keys[at]!, rows.values[row]!);
      }
      size += memo.bytes;
    }
    if (withoutEvicting ? total + size > maxBytes : !room(entry, size)) {
      drop(entry);
      withoutEvicting?.full();
      return undefined;
    }
    entry.complete = saved.complete;
    entry.previousRows = memo;
    // Journaling goes on from here, for as many more keys as the file holds: past that, the journal would be larger
    // than a save, and the entry waits for the next save instead.
    entry.journal = { generation, room: saved.keys.length - journaled };
    account(entry, size);
    return entry;
  }

  /**
   * Queues the commit that `entry` (a restored or saved entry) made from `before` to `after` for the archive's journal.
   * The commit does not wait for the append (a `replace` run commits every batch): the appends run one at a time,
   * each taking every commit queued meanwhile, in order. A commit whose append a crash loses only leaves the chain
   * short of the stored token. Past the journal's room, or once an append failed, the journal stops.
   */
  function journalCommit(entry: Entry, before: string | undefined, after: string, written: SavedChange) {
    const journal = entry.journal;
    entry.journal = undefined;
    if (!archive || !journal || journal.generation !== before) return;
    const room = journal.room - written.upserts.length / 2 - written.deletes.length;
    if (room < 0) return;
    entry.journal = { generation: after, room };
    entry.journalQueue.push(written);
    // During a background save the lines wait for its file (saveInBackground appends them after).
    if (!entry.journalWriting) appendQueued(entry, archive);
  }

  /** Appends the entry's queued journal lines, one append at a time, each taking the lines queued meanwhile. */
  function appendQueued(entry: Entry, to: StateCacheArchive) {
    entry.journalWriting = (async () => {
      try {
        while (entry.journalQueue.length > 0) await to.append(entry.syncId, entry.journalQueue.splice(0));
      } catch {
        // Whatever was lost breaks the chain on disk, so the next process ignores the journal: stop appending.
        entry.journal = undefined;
        entry.journalQueue.length = 0;
      } finally {
        entry.journalWriting = undefined;
      }
    })();
  }

  /** The syncs whose run ended with no journaled saved copy, in order; the background save under way; a persist under
   * way (which saves every entry itself). */
  const unsaved = new Set<string>();
  let saving: Promise<void> | undefined;
  let persisting = false;

  /** Whether the entry is worth a background save now: known, held, large enough, and with no saved copy journaled. */
  const needsSave = (entry: Entry): boolean =>
    archive !== undefined &&
    !persisting &&
    held(entry) &&
    entry.generation !== undefined &&
    entry.journal === undefined &&
    entry.slots.size >= minimumSavedKeys;

  /** A turn of the event loop, and then, until `longestSaveWaitMs` after `since`, a quiet spell of the cache. */
  async function quietTurn(since: number) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while ((openRuns > 0 || clock.nowMs() - lastBusyMs < saveQuietMs) && clock.nowMs() - since < longestSaveWaitMs)
      await clock.sleep(saveQuietMs);
  }

  /** Saves the unsaved entries one at a time, each once the runs let it, until none is left. */
  async function saveUnsaved(to: StateCacheArchive) {
    try {
      for (const syncId of unsaved) {
        unsaved.delete(syncId);
        const since = clock.nowMs();
        await quietTurn(since);
        const entry = entries.get(syncId);
        if (entry) await saveInBackground(entry, to, () => quietTurn(since));
      }
    } finally {
      saving = undefined;
    }
  }

  /**
   * Saves the entry as it is at one moment, and journals its commits from there. The file replaces the sync's earlier
   * one and removes its journal, so an append must not land meanwhile: the append still under way (of a journal that
   * stopped) is waited for first, and the commits made during the write are queued and appended after it. A failed
   * write stops the journal: the commits since are not on disk, and the next run's end tries again.
   */
  async function saveInBackground(entry: Entry, to: StateCacheArchive, pause: () => Promise<void>) {
    while (entry.journalWriting) await entry.journalWriting;
    if (!needsSave(entry)) return;
    // One synchronous pass, as in persist: the saved entry is the state at its token.
    const saved = savedOf(entry)!;
    entry.journal = { generation: saved.generation, room: saved.keys.length };
    let written = false;
    entry.journalWriting = (async () => {
      try {
        await to.write([saved], { pause });
        written = true;
      } catch {
        entry.journal = undefined;
        entry.journalQueue.length = 0;
      } finally {
        entry.journalWriting = undefined;
      }
      if (written && entry.journalQueue.length > 0) appendQueued(entry, to);
    })();
    await entry.journalWriting;
  }

  /** Whether the saved entry (with its journaled changes) is the state at `generation`. */
  function reaches(saved: SavedStateEntry, generation: string): boolean {
    let at = saved.generation;
    for (const change of saved.changes ?? []) {
      if (change.from !== at) return false;
      at = change.to;
    }
    return at === generation;
  }

  /** What `entry` holds, as saved data; undefined while its generation is unknown. */
  function savedOf(entry: Entry): SavedStateEntry | undefined {
    if (entry.generation === undefined) return undefined;
    const keys: string[] = [];
    const kept: string[] = [];
    const indexOf = new Map<StateSlot, number>();
    for (const [key, slot] of entry.slots) {
      indexOf.set(slot, keys.length);
      keys.push(key);
      kept.push(slot.kept);
    }
    // The newest rows, unless a run stopped early and noted fewer than the one before: either tells only what holds.
    const { rows: latest, previousRows } = entry;
    const memo = !latest || (previousRows && previousRows.keys.length > latest.keys.length) ? previousRows : latest;
    let rows: SavedRows | undefined;
    if (memo) {
      rows = { layout: memo.layout, slots: [], values: [] };
      for (let row = 0; row < memo.keys.length; row += 1) {
        const slot = memo.slots[row]!;
        const index = indexOf.get(slot);
        // A row whose slot changed since it was noted tells nothing; one with a value no archive keeps is left out.
        if (index === undefined || slot.kept !== memo.kept[row] || !memo.values[row]!.every(isSavableValue)) continue;
        rows.slots.push(index);
        rows.values.push(memo.values[row]!);
      }
    }
    return { syncId: entry.syncId, generation: entry.generation, complete: entry.complete, keys, kept, rows };
  }

  return {
    get bytes() {
      return total;
    },
    ended(syncId) {
      openRuns = Math.max(0, openRuns - 1);
      lastBusyMs = clock.nowMs();
      const entry = entries.get(syncId);
      if (!archive || !entry || !needsSave(entry)) return;
      unsaved.add(syncId);
      saving ??= saveUnsaved(archive);
    },
    async settled() {
      while (saving) await saving;
      for (const entry of entries.values()) while (entry.journalWriting) await entry.journalWriting;
    },
    async persist() {
      if (!archive) return;
      // It saves every entry: no background save starts meanwhile (one would write the same files).
      persisting = true;
      unsaved.clear();
      try {
        // The journal's appends and the background save first: an append landing after the save would begin a journal
        // the saved file does not start.
        await this.settled();
        const saved: Array<{ entry: Entry; one: SavedStateEntry }> = [];
        // Taken in one synchronous pass, so each saved entry is what it held at one moment.
        for (const entry of entries.values()) {
          const one = savedOf(entry);
          if (one) saved.push({ entry, one });
        }
        await archive.write(saved.map(({ one }) => one));
        // Saved: the commits from here on are journaled (an entry committed meanwhile no longer matches its save).
        for (const { entry, one } of saved)
          if (entry.generation === one.generation)
            entry.journal = { generation: one.generation, room: one.keys.length };
      } finally {
        persisting = false;
      }
    },
    restore(store) {
      restoring ??= (async () => {
        if (!archive || maxBytes === 0) return;
        for (const syncId of await archive.savedSyncIds()) {
          if (entries.has(syncId)) continue;
          const generation = await store.generation(syncId);
          // No token: the state was cleared (or never committed); the file can never be used.
          if (generation === undefined) {
            await archive.discard(syncId);
            continue;
          }
          // The most recently changed first, and no further once one does not fit: the files of more syncs than
          // the budget holds (each sync that ran gets one) are not all read and decoded at every start.
          let full = false;
          const entry = await restoredEntry(syncId, generation, {
            full() {
              full = true;
            },
          });
          if (full) break;
          if (!entry) continue;
          // Its rows are the last run's: the next open makes them the previous rows, as for a warm entry.
          entry.rows = entry.previousRows;
          entry.previousRows = undefined;
        }
      })();
      return restoring;
    },
    async open(store, syncId, { preloadKeys = defaultPreloadStateKeys } = {}) {
      if (maxBytes === 0) return store;
      openRuns += 1;
      lastBusyMs = clock.nowMs();
      // A failed restore leaves the entries cold: the open goes on as without one.
      if (restoring) await restoring.catch(() => {});
      const generation = await store.generation(syncId);
      let entry = entries.get(syncId);
      if (entry && (generation === undefined || entry.generation !== generation)) {
        empty(entry);
        entry = undefined;
      }
      if (entry) {
        // Most recently used last; the last run's rows become this run's previous rows.
        entries.delete(syncId);
        entries.set(syncId, entry);
        forgetPreviousRows(entry);
        entry.previousRows = entry.rows;
        entry.rows = undefined;
        entry.layout = undefined;
      } else {
        entry =
          (generation !== undefined ? await restoredEntry(syncId, generation) : undefined) ??
          (await coldEntry(store, syncId, generation, preloadKeys));
      }
      return view(store, entry);
    },
  };

  function view(store: StateStore, entry: Entry): CachedStateStore {
    const { syncId } = entry;
    const lane: StateLane = {
      slot: (key) => entry.slots.get(key),
      previousRows(layout) {
        entry.layout = layout;
        return entry.previousRows?.layout === layout ? entry.previousRows : undefined;
      },
      rememberRow: (key, slot, kept, values) => noteRow(entry, key, slot, kept, values),
      confirm: (key, json) => (json.length <= maxKeptJsonLength ? remember(entry, key, json) : entry.slots.get(key)),
    };
    let keysAskedOfStore = 0;
    return {
      lane,
      get keysAskedOfStore() {
        return keysAskedOfStore;
      },
      inProcess: true,
      async differing(id, records) {
        lastBusyMs = clock.nowMs();
        if (id !== syncId) return store.differing(id, records);
        const found = new Map<string, string | undefined>();
        const unknown: DiffRecord[] = [];
        for (const record of records) {
          const kept = entry.slots.get(record.key)?.kept;
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
        keysAskedOfStore += unknown.length;
        const asked = await store.differing(id, unknown);
        for (const record of unknown) {
          if (asked.has(record.key)) found.set(record.key, asked.get(record.key));
          else {
            // Confirmed unchanged by the store: this run's view of the state, and the next run's, which meets the row
            // in the memo as a warm run would (a cold run's rows are all diffed here, in read order).
            const kept = keptValue(record);
            const slot = remember(entry, record.key, kept);
            if (slot && record.values && isKeptJson(kept)) noteRow(entry, record.key, slot, kept, record.values);
          }
        }
        return found;
      },
      async commit(id, change) {
        lastBusyMs = clock.nowMs();
        if (id !== syncId) return store.commit(id, change);
        const before = entry.generation;
        entry.generation = undefined;
        let generation: string | undefined;
        try {
          generation = await store.commit(id, change);
        } catch (error: unknown) {
          // Committed or not, nobody can tell: remember nothing, and diff the rest of this run in the store.
          empty(entry);
          throw error;
        }
        const written: SavedChange | undefined =
          generation !== undefined && entry.journal
            ? { from: before ?? '', to: generation, upserts: [], deletes: change.deletes }
            : undefined;
        for (const state of change.upserts) {
          const kept = keptValue(state);
          written?.upserts.push(state.key, kept);
          const slot = remember(entry, state.key, kept);
          // A delivered record is noted for the next run like an unchanged one, in the order it was committed.
          if (slot && state.values && isKeptJson(kept)) noteRow(entry, state.key, slot, kept, state.values);
        }
        for (const key of change.deletes) forget(entry, key);
        if (written) journalCommit(entry, before, generation!, written);
        else if (generation !== undefined) entry.journal = undefined;
        entry.generation = generation ?? before;
        return generation;
      },
      async clear(id) {
        if (id === syncId) {
          empty(entry);
          entry.complete = true;
          entry.generation = undefined;
        }
        await store.clear(id);
        // The saved entry's token is gone with the state, so it could not be used; it is removed to free the disk
        // (after a background save of it, which would otherwise write it again).
        while (entry.journalWriting) await entry.journalWriting;
        await archive?.discard(id);
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
