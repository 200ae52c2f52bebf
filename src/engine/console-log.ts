// The console log of an execution: the short, human-readable lines the API serves at
// …/executions/{id}/consolelog (ExecutionConsoleLogEntry). Entries get an increasing id so that a
// reader pages with `after` (entries newer than that id) and never misses one written meanwhile.
// Implementations: memory-console-log.ts (beside this port) and src/persistence/stores/kysely-console-log.ts.

export const ConsoleLogLevel = { info: 'INFO', warning: 'WARN', error: 'ERROR' } as const;
export type ConsoleLogLevel = (typeof ConsoleLogLevel)[keyof typeof ConsoleLogLevel];

export interface ConsoleLogInput {
  executionId: string;
  /** The schema the line is about; undefined for execution-wide lines. */
  schemaId?: string;
  level: ConsoleLogLevel;
  message: string;
  /** JSON-serialisable details (rows, rows per second, error code). */
  payload?: Record<string, unknown>;
}

export interface ConsoleLogEntry extends Required<Omit<ConsoleLogInput, 'schemaId' | 'payload'>> {
  /** Decimal string of an increasing integer: the `after` cursor. */
  id: string;
  schemaId: string | null;
  payload: Record<string, unknown> | null;
  /** ISO 8601 UTC. */
  createdAt: string;
}

interface ConsoleLogPage {
  entries: ConsoleLogEntry[];
  /** The id of the last entry, to pass as `after`; undefined when the page is empty. */
  nextCursor: string | undefined;
}

interface ConsoleLogQuery {
  executionId: string;
  /** Only this schema's lines. */
  schemaId?: string;
  /** Entries with a larger id than this. */
  after?: string;
  /** Default 50 (the API's cap). */
  limit?: number;
}

export interface ConsoleLog {
  append(entry: ConsoleLogInput): Promise<void>;
  list(query: ConsoleLogQuery): Promise<ConsoleLogPage>;
}
