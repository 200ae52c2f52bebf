// What one execution of one bulk sync must do, as plain data plus the two opened connections. The
// worker builds it from the sync's stored configuration and the execution's options; the engine
// (bulk-sync-runner.ts) never reads configuration itself. Vocabulary follows the API's wire names.
import { ferryDefaults } from '../../config.ts';
import type { Connection } from '../../connectors/connector.ts';

export const BulkSyncMode = { replicate: 'replicate', snapshot: 'snapshot' } as const;
export type BulkSyncMode = (typeof BulkSyncMode)[keyof typeof BulkSyncMode];

/** BulkNormalizeNames; the exact rules are in name-normalization.ts and docs/bulk-engine.md. */
export const NormalizeNames = { enabled: 'enabled', disabled: 'disabled', legacy: 'legacy' } as const;
export type NormalizeNames = (typeof NormalizeNames)[keyof typeof NormalizeNames];

/** BulkFetchMode of an execution. */
export const FetchMode = { none: 'none', incremental: 'incremental', full: 'full' } as const;
export type FetchMode = (typeof FetchMode)[keyof typeof FetchMode];

/** BulkScheduleSyncMode (`resync_mode`): what happens to the destination table before the load. */
export const ResyncMode = { normal: 'normal', refetch: 'refetch', resync: 'resync', rebuild: 'rebuild' } as const;
export type ResyncMode = (typeof ResyncMode)[keyof typeof ResyncMode];

export interface BulkSchemaPlan {
  /** The source's schema id, e.g. `public.users`. */
  schemaId: string;
  /** Source field ids to copy; every source field (including ones added later) when omitted. */
  fields?: string[];
  /** user_output_name: the destination table name, used verbatim (never normalised). */
  outputName?: string;
  /** A monotonically increasing source field (updated_at, an id): enables incremental fetches. */
  trackingField?: string;
  /** ISO 8601: rows whose tracking field is older are not copied. Needs `trackingField`. */
  dataCutoffTimestamp?: string;
  /** Source field ids; the source's own primary key when omitted. */
  primaryKey?: string[];
}

export interface BulkSyncPlan {
  syncId: string;
  executionId: string;
  /**
   * ISO 8601 UTC time the execution was created. Snapshot mode writes it into every row, so it must
   * be the same on every attempt of the execution (a resumed attempt continues the same snapshot).
   */
  executionTimestamp: string;
  source: Connection;
  destination: Connection;
  /** Prefixed to output names as `<namespace>.<name>` (a PostgreSQL schema, a MySQL database). */
  destinationNamespace?: string;
  mode: BulkSyncMode;
  schemas: BulkSchemaPlan[];
  /** Default `enabled`. */
  normalizeNames?: NormalizeNames;
  /** Default `none`. */
  fetchMode?: FetchMode;
  /** Default `normal`. */
  resyncMode?: ResyncMode;
  /** Schemas copied at the same time. Default 3: each PostgreSQL connection pools 5 clients. */
  concurrency?: number;
  /** Rows per destination batch (one transaction and one checkpoint each). Default 5000. */
  batchSize?: number;
  /** Rows per chunk on a directCopy path (COPY from PostgreSQL or MySQL into PostgreSQL). Default 100000. */
  copyChunkSize?: number;
  /**
   * On a directCopy path, ranges of one large table copied at once, each checkpointed on its own
   * (DirectCopyRequest.parallelism). Default: the cores, at most 4.
   */
  rangeParallelism?: number;
  /** Tables with more rows than this are split into ranges. Default 500,000. */
  splitAboveRows?: number;
  /**
   * A test execution (StartBulkSyncRequest `test`): copy at most this many rows per schema, through the record
   * path. Its checkpoint is a normal one, so the next run continues after the rows the test copied.
   */
  rowLimit?: number;
  /**
   * The stored id of the source connection, recorded with a change stream (docs/change-capture.md) so that a sweep
   * can drop the stream after the sync is gone.
   */
  sourceConnectionId?: string;
  /**
   * Change capture only: keep streaming until the run is canceled or interrupted (a `continuous` schedule), instead
   * of stopping at the source's current end.
   */
  continuous?: boolean;
}

export const bulkPlanDefaults = {
  normalizeNames: NormalizeNames.enabled,
  fetchMode: FetchMode.none,
  resyncMode: ResyncMode.normal,
  ...ferryDefaults.bulk,
} as const;

/** The column snapshot mode adds: the execution's timestamp, the same for every row of one copy. */
export const snapshotTimestampField = '_ferry_execution_timestamp';
