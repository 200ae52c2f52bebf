// Helpers shared by the model-sync engine tests: a console log that records, and temp log directories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleLog, ConsoleLogEntry, ConsoleLogInput } from '../../../src/engine/console-log.ts';
import type { StateStore, StateChange } from '../../../src/engine/model-sync/state-store.ts';

/**
 * The two ways a run diffs its batches, which must decide the same (state/preloaded-state.ts): one statement per batch
 * in the state store, and the sync's state preloaded into memory. The engine and scenario suites run once per way.
 */
export const diffPaths = [
  { name: 'diff in the state store', preloadStateKeys: 0 },
  { name: 'preloaded state', preloadStateKeys: 1_000_000 },
] as const;

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
      return { entries: entries.map((entry, index): ConsoleLogEntry => ({ id: String(index + 1), executionId: entry.executionId, schemaId: null, level: entry.level, message: entry.message, payload: entry.payload ?? null, createdAt: '' })), nextCursor: undefined };
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
export function interruptingStateStore(inner: StateStore, plan: { abortAfterCommits?: number; crashOnCommit?: number; abort?: () => void }): StateStore & { commits: number } {
  const wrapper = {
    ...inner,
    commits: 0,
    async commit(syncId: string, change: StateChange) {
      wrapper.commits += 1;
      if (plan.crashOnCommit === wrapper.commits) throw new Error('simulated crash between the target write and the state commit');
      await inner.commit(syncId, change);
      if (plan.abortAfterCommits === wrapper.commits) plan.abort?.();
    },
  };
  return wrapper;
}
