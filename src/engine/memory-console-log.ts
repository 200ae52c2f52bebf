// ConsoleLog kept in memory: for tests and runs without a metadata database.
import type { ConsoleLog, ConsoleLogEntry } from './console-log.ts';

export interface MemoryConsoleLog extends ConsoleLog {
  /** Every entry, oldest first (tests assert on it). */
  readonly entries: readonly ConsoleLogEntry[];
}

export function createMemoryConsoleLog(now: () => Date = () => new Date()): MemoryConsoleLog {
  const entries: ConsoleLogEntry[] = [];
  return {
    entries,
    async append(input) {
      entries.push({
        id: String(entries.length + 1),
        executionId: input.executionId,
        schemaId: input.schemaId ?? null,
        level: input.level,
        message: input.message,
        payload: input.payload ?? null,
        createdAt: now().toISOString(),
      });
    },
    async list(query) {
      const after = query.after === undefined ? 0 : Number(query.after);
      const selected = entries
        .filter((entry) => entry.executionId === query.executionId && Number(entry.id) > after)
        .filter((entry) => query.schemaId === undefined || entry.schemaId === query.schemaId)
        .slice(0, query.limit ?? 50);
      return { entries: selected, nextCursor: selected.at(-1)?.id };
    },
  };
}
