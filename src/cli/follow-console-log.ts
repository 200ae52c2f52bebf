// `ferry executions logs <execution> [--follow]`: the execution's console log, oldest first, paged with `after`
// (the last entry's id). With --follow it keeps asking until the execution has ended and the log is drained, and
// then exits as `run --follow` does (0 completed, 2 canceled, 1 otherwise).
import { type Clock, systemClock } from '../domain/clock.ts';
import type { ApiClient } from './api-client.ts';
import { dataOf, objectOf, text } from './api-wire.ts';
import { exitCodeFor, isTerminal } from './execution-progress.ts';
import { type CliSyncKind, syncPaths } from './sync-kinds.ts';

export interface FollowLogOptions {
  client: ApiClient;
  kind: CliSyncKind;
  syncId: string;
  executionId: string;
  follow: boolean;
  intervalMs: number;
  output: NodeJS.WritableStream;
  clock?: Clock;
}

const pageLimit = 50;

export async function printConsoleLog(options: FollowLogOptions): Promise<number> {
  const { client, kind, syncId, executionId, output } = options;
  const clock = options.clock ?? systemClock;
  const logPath = syncPaths[kind].consoleLog(syncId, executionId);
  let after: string | undefined;
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.once('SIGINT', onInterrupt);
  try {
    for (;;) {
      // Read the status before draining: entries written before it ended are then all in the drain that follows.
      const status = options.follow
        ? text(objectOf(dataOf(await client.get(syncPaths[kind].execution(syncId, executionId)))).status)
        : undefined;
      for (;;) {
        const query = new URLSearchParams({ limit: String(pageLimit), ...(after ? { after } : {}) });
        const page = objectOf(dataOf(await client.get(`${logPath}?${query}`)));
        const entries = (Array.isArray(page.entries) ? page.entries : []).map(objectOf).map((entry) => ({
          id: text(entry.id),
          level: text(entry.level),
          message: text(entry.message),
          timestamp: text(entry.timestamp),
        }));
        for (const entry of entries) {
          output.write(`${entry.timestamp} ${(entry.level || 'info').toUpperCase().padEnd(7)} ${entry.message}\n`);
        }
        after = text(page.next_cursor) || entries[entries.length - 1]?.id || after;
        if (entries.length < pageLimit) break;
      }
      if (!options.follow) return 0;
      if (status && isTerminal(status)) return exitCodeFor(status);
      if (interrupted) return 130;
      await clock.sleep(options.intervalMs);
      if (interrupted) return 130;
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
