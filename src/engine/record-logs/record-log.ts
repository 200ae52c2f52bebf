// The record-log contract: what one execution wrote, per ExecutionLogType, and where. The API's
// getLogs/getLogUrls read the index to know which files exist for a type without opening them.

/** The spec's ExecutionLogType. */
export const ExecutionLogType = {
  records: 'records',
  errors: 'errors',
  warnings: 'warnings',
  inserts: 'inserts',
  updates: 'updates',
  deletes: 'deletes',
} as const;
export type ExecutionLogType = (typeof ExecutionLogType)[keyof typeof ExecutionLogType];

export const executionLogTypes: readonly ExecutionLogType[] = Object.values(ExecutionLogType);

interface RecordLogFiles {
  /** File names (not paths) inside the log directory, in write order. */
  files: string[];
  records: number;
}

/** Only types that received at least one entry appear. */
export type RecordLogIndex = Partial<Record<ExecutionLogType, RecordLogFiles>>;

/** The index file's name inside a log directory. */
export const recordLogIndexFile = 'index.json';

export interface RecordLogSink {
  /** Appends one entry; resolves once it is buffered (waits when the file stream pushes back). */
  write(type: ExecutionLogType, entry: unknown): Promise<void>;
  /**
   * Appends one entry already serialized as JSON (one line, no newline). For the engine's hot path: it returns a
   * promise only when the caller has to wait (a file to open or roll over, a stream pushing back), and undefined
   * once the line is buffered, so a caller can skip an `await` per line.
   */
  writeJson(type: ExecutionLogType, json: string): Promise<void> | undefined;
  /** Flushes and closes every file, writes index.json, and returns the index. Idempotent. */
  close(): Promise<RecordLogIndex>;
}

/** A sink that keeps nothing, for callers that want no record logs. */
export const discardRecordLogs: RecordLogSink = {
  async write() {},
  writeJson: () => undefined,
  async close() {
    return {};
  },
};
