// The status and counts of one schema in one execution (BulkSyncSchemaExecution on the wire).
import type { SyncError } from '../sync-error.ts';

/** The subset of BulkSchemaExecutionStatus the engine sets. */
const SchemaExecutionStatus = {
  created: 'created',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  canceled: 'canceled',
} as const;
type SchemaExecutionStatus = (typeof SchemaExecutionStatus)[keyof typeof SchemaExecutionStatus];

export interface SchemaExecution {
  schemaId: string;
  outputName: string | undefined;
  status: SchemaExecutionStatus;
  /** Rows written to the destination by this execution (a resumed attempt continues the count). */
  recordCount: number;
  errorCount: number;
  warningCount: number;
  startedAt: string | undefined;
  completedAt: string | undefined;
  statusMessage: string | undefined;
  /** True when only rows past the saved cursor were read. */
  incremental: boolean;
  /** `copy_binary` or `copy_text` (through directCopy, e.g. PostgreSQL COPY), or `records` (read and write batches). */
  path: 'copy_binary' | 'copy_text' | 'records' | undefined;
  error: SyncError | undefined;
}

export function createdSchemaExecution(schemaId: string): SchemaExecution {
  return {
    schemaId,
    outputName: undefined,
    status: 'created',
    recordCount: 0,
    errorCount: 0,
    warningCount: 0,
    startedAt: undefined,
    completedAt: undefined,
    statusMessage: undefined,
    incremental: false,
    path: undefined,
    error: undefined,
  };
}
