// Helpers shared by the model-sync engine tests: a console log that records, and temp log directories.
import { mkdtempSync, rmSync } from 'node:fs';
import { createStateCacheFiles } from '../../../src/persistence/state-cache-files.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleLog, ConsoleLogEntry, ConsoleLogInput } from '../../../src/engine/console-log.ts';
import type { StateStore, StateChange } from '../../../src/engine/model-sync/state-store.ts';
import { createStateCache, type StateCache } from '../../../src/engine/model-sync/state/state-cache.ts';

/**
 * A state cache that restarts before every open: the cache so far saves its entries to `directory`, as a stopping
 * worker's does, and a new one (the next process) opens the sync, restoring the saved entry where its token holds:
 * at the open, or (`atStart`) before it, every saved entry at once, as a starting worker does (StateCache.restore).
 * With `crashes`, every process dies instead of stopping: it saves nothing at a stop, and the next one restores what
 * the background saves at the end of its runs left (StateCache.ended; every entry, however small) with the commits
 * journaled since.
 */
function restartingStateCache(directory: string, atStart: boolean, crashes = false): StateCache {
  const archive = createStateCacheFiles(directory);
  const processCache = () => createStateCache({ archive, ...(crashes ? { minimumSavedKeys: 0 } : {}) });
  let current = processCache();
  return {
    get bytes() {
      return current.bytes;
    },
    async open(store, syncId, options) {
      // A crash after the background save and the journal's appends had landed (one before them leaves the entry
      // stale: the other tests).
      if (!crashes) await current.persist();
      else await current.settled();
      current = processCache();
      if (atStart) await current.restore(store);
      return current.open(store, syncId, options);
    },
    persist: () => current.persist(),
    ended: (syncId) => current.ended(syncId),
    settled: () => current.settled(),
    restore: (store) => current.restore(store),
  };
}

/** The files the restarting paths save, for the test process's life (the suites' tests share their caches). */
const restartDirectory = mkdtempSync(join(tmpdir(), 'ferry-state-cache-'));
const restoredAtStartDirectory = mkdtempSync(join(tmpdir(), 'ferry-state-cache-'));
const crashDirectory = mkdtempSync(join(tmpdir(), 'ferry-state-cache-'));
process.once('exit', () => {
  rmSync(restartDirectory, { recursive: true, force: true });
  rmSync(restoredAtStartDirectory, { recursive: true, force: true });
  rmSync(crashDirectory, { recursive: true, force: true });
});

/**
 * The ways a run diffs its batches, which must decide the same (state/state-cache.ts): one statement per batch in the
 * state store (no cache); the sync's state preloaded into memory at the start of each run (a cache per run); a
 * cache the suite's runs share, as the runs of a worker process do, warm from earlier runs and kept right across
 * failed ones; and every run the first after a restart, its cache restored from what the last one saved (or cold,
 * where a commit since, a failed commit or another test's store makes the saved entry stale), or after a crash, from
 * the last save and the commits journaled since. The engine and scenario
 * suites run once per way; `stateCache` gives the cache for one run.
 */
export interface DiffPath {
  name: string;
  preloadStateKeys: number;
  stateCache: () => StateCache;
}

export const diffPaths: readonly DiffPath[] = [
  { name: 'diff in the state store', preloadStateKeys: 0, stateCache: () => createStateCache({ maxBytes: 0 }) },
  { name: 'preloaded state', preloadStateKeys: 1_000_000, stateCache: () => createStateCache() },
  {
    name: 'state cached across runs',
    preloadStateKeys: 0,
    stateCache: (
      (shared) => () =>
        shared
    )(createStateCache()),
  },
  {
    name: 'state cache restored after a restart',
    preloadStateKeys: 0,
    stateCache: (
      (shared) => () =>
        shared
    )(restartingStateCache(restartDirectory, false)),
  },
  {
    name: 'state cache restored at the start after a restart',
    preloadStateKeys: 0,
    stateCache: (
      (shared) => () =>
        shared
    )(restartingStateCache(restoredAtStartDirectory, true)),
  },
  {
    name: 'state cache restored at the start after a crash',
    // A cold entry (the saved one stale) is preloaded: its hashes become JSON as rows match them.
    preloadStateKeys: 1_000_000,
    stateCache: (
      (shared) => () =>
        shared
    )(restartingStateCache(crashDirectory, true, true)),
  },
];

export interface RecordingConsoleLog extends ConsoleLog {
  entries: ConsoleLogInput[];
}

export function recordingConsoleLog(): RecordingConsoleLog {
  const entries: ConsoleLogInput[] = [];
  return {
    entries,
    async append(entry) {
      entries.push(entry);
    },
    async list() {
      return {
        entries: entries.map(
          (entry, index): ConsoleLogEntry => ({
            id: String(index + 1),
            executionId: entry.executionId,
            schemaId: null,
            level: entry.level,
            message: entry.message,
            payload: entry.payload ?? null,
            createdAt: '',
          }),
        ),
        nextCursor: undefined,
      };
    },
  };
}

export function temporaryDirectory(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Wraps a StateStore to interrupt a run at a chosen batch:
 * - `abortAfterCommits`: aborts the run once that many batch commits are done (a clean cancel);
 * - `crashOnCommit`: the Nth commit throws before storing anything, as if the process died after
 *   the target write and before the state commit.
 */
export function interruptingStateStore(
  inner: StateStore,
  plan: { abortAfterCommits?: number; crashOnCommit?: number; abort?: () => void },
): StateStore & { commits: number } {
  const wrapper = {
    ...inner,
    commits: 0,
    async commit(syncId: string, change: StateChange) {
      wrapper.commits += 1;
      if (plan.crashOnCommit === wrapper.commits)
        throw new Error('simulated crash between the target write and the state commit');
      const generation = await inner.commit(syncId, change);
      if (plan.abortAfterCommits === wrapper.commits) plan.abort?.();
      return generation;
    },
  };
  return wrapper;
}
