// The connector contract. A Connector is a connection *type* (stateless, one per type id); open()
// makes a Connection (one per configured connection, owning its pool until close()). A Connection
// exposes one facet per capability it declares; engines check `capabilities` before using a facet.
// Consumers: the bulk-sync engine (bulkSource/bulkDestination, and directCopy, an optional fast path the engine
// asks the source for given the destination), the model-sync engine (modelSource/modelTarget) and the API
// (configurationSchema, validate, test, sample, query).
import type { RunContext } from '../domain/run-context.ts';
import type { ChangeCaptureSource } from './change-capture.ts';
import type { ConfigurationSchema, ValidationResult } from './configuration-schema.ts';
import type { ConnectorErrorCode } from './connector-error.ts';
import type { IdentifierRules } from './identifier-rules.ts';
import type { FieldDescription, FieldSpec, RecordBatch, Row, SchemaDescription, UtilFieldType } from './records.ts';

export const Capability = {
  bulkSource: 'bulkSource',
  bulkDestination: 'bulkDestination',
  modelSource: 'modelSource',
  modelTarget: 'modelTarget',
  proxyUpstream: 'proxyUpstream',
  changeCapture: 'changeCapture',
} as const;
export type Capability = (typeof Capability)[keyof typeof Capability];

export interface Connector<Configuration = unknown> {
  /** Polytomic's type id, e.g. `postgresql`. */
  readonly type: string;
  readonly name: string;
  readonly configurationSchema: ConfigurationSchema;
  readonly capabilities: readonly Capability[];
  /**
   * The table and column names its bulk destination accepts, checked when a client sets an output name. Declared by
   * every connector with a bulkDestination.
   */
  readonly identifierRules?: IdentifierRules;
  /** Applies defaults and checks the configuration; on failure names the offending field. */
  validate(configuration: unknown): ValidationResult<Configuration>;
  /**
   * The query a table model of this type reads: all of table `tableId`, quoted as the type's query language wants.
   * Absent for types without tables (their models give a query).
   */
  tableQuery?(tableId: string): string;
  /** Cheap and lazy: no network until a method is called. Throws invalid_configuration. */
  open(configuration: unknown): Connection;
}

export type ConnectionTestResult = { ok: true } | { ok: false; code: ConnectorErrorCode; message: string };

export interface Connection {
  readonly type: string;
  /** Connects and runs a trivial query; failures say why in plain words (never throws). */
  test(context: RunContext): Promise<ConnectionTestResult>;
  /** Releases every pooled connection and file handle. Idempotent. */
  close(): Promise<void>;
  readonly bulkSource?: BulkSource;
  readonly bulkDestination?: BulkDestination;
  readonly modelSource?: ModelSource;
  readonly modelTarget?: ModelTarget;
  /** A fast path from this connection straight into another (PostgreSQL's COPY); engines fall back to records. */
  readonly directCopy?: DirectCopySource;
  /** A destination that loads PostgreSQL's COPY text format, for a source's directCopy that produces it. */
  readonly copyTextDestination?: CopyTextDestination;
  /** Present when the connection's configuration turns change capture on (change-capture.ts). */
  readonly changeCapture?: ChangeCaptureSource;
}

// ---- bulk (ELT) -------------------------------------------------------------------------------

export interface ReadRequest {
  schemaId: string;
  /** Field ids to read; all fields when omitted. */
  fields?: string[];
  /**
   * Incremental read: rows whose `field` is past `after`, in ascending `field` order, so the
   * engine's checkpoint is the last row's value. `inclusive` (default false) re-reads rows equal
   * to `after`, for tracking fields that are not strictly increasing (upserts absorb the repeat).
   */
  cursor?: { field: string; after?: unknown; inclusive?: boolean };
  /** Stop after this many rows (samples, previews). */
  limit?: number;
  /** Rows per batch; default 1000. Memory is bounded by one batch (server-side cursor/stream). */
  batchSize?: number;
  /** Read inside this change-capture snapshot (ChangeStreamStart.snapshot.id), so the copy meets the log's start. */
  sourceSnapshot?: string;
}

export interface BulkSource {
  listSchemas(context: RunContext): Promise<SchemaDescription[]>;
  /** Undefined when the schema does not exist. */
  describeSchema(context: RunContext, schemaId: string): Promise<SchemaDescription | undefined>;
  /** Ends with a canceled ConnectorError soon after `context.signal` aborts; the connection is released. */
  read(context: RunContext, request: ReadRequest): AsyncIterable<RecordBatch>;
}

/** Schema changes are data (Kysely's operation-node idea) so engines can log, diff and replay them. */
export type TableOperation =
  | { kind: 'create_table'; schemaId: string; fields: FieldSpec[]; primaryKey: string[]; ifNotExists?: boolean }
  | { kind: 'add_fields'; schemaId: string; fields: FieldSpec[] }
  | { kind: 'truncate'; schemaId: string }
  | { kind: 'drop'; schemaId: string; ifExists?: boolean };

const WriteMode = { insert: 'insert', upsert: 'upsert', delete: 'delete' } as const;
type WriteMode = (typeof WriteMode)[keyof typeof WriteMode];

export interface WriteRequest {
  schemaId: string;
  mode: WriteMode;
  /** Required for upsert and delete: the key fields (delete reads only these from each record). */
  primaryKey?: string[];
  records: RecordBatch;
}

export interface BulkDestination {
  describeSchema(context: RunContext, schemaId: string): Promise<SchemaDescription | undefined>;
  apply(context: RunContext, operation: TableOperation): Promise<void>;
  /** Writes one batch atomically (all or nothing); failures are systemic and throw. */
  write(context: RunContext, request: WriteRequest): Promise<{ written: number }>;
  /**
   * Rows per batch this destination writes best, when that differs from the caller's default: a Parquet file keeps
   * each batch as one row group behind a footer that lists them all, so small batches make small row groups and a
   * footer rewritten per batch. A caller that sets no batch size of its own uses it; each batch is still one write.
   */
  readonly preferredBatchRows?: number;
  /** Reads a destination table back (tests, previews); same contract as BulkSource.read. */
  read(context: RunContext, request: ReadRequest): AsyncIterable<RecordBatch>;
}

// ---- direct copy (a bulk fast path between two connections that understand each other) ----------

/**
 * One schema copied from the source straight into the destination, rows never decoded into records. The engine
 * has already prepared the destination table; the copy commits in chunks and reports each one, so the engine can
 * checkpoint after it exactly as after a record batch.
 */
export interface DirectCopyRequest {
  sourceSchemaId: string;
  destinationSchemaId: string;
  /** Which source field fills which destination column, in column order. */
  fields: { sourceId: string; destinationId: string }[];
  /** A column given one constant timestamp in every row (snapshot mode's execution timestamp, ISO 8601). */
  snapshot?: { field: string; value: string };
  /** `upsert` merges on `destinationPrimaryKey` unless `destinationFresh`. */
  writeMode: 'insert' | 'upsert';
  destinationPrimaryKey: string[];
  /** True when the destination holds no row this copy can conflict with, so upserts may write straight in. */
  destinationFresh: boolean;
  /** As ReadRequest.cursor: the order of the copy and where it starts; one unordered chunk when omitted. */
  cursor?: { field: string; after?: unknown; inclusive?: boolean };
  /** Rows per chunk: one destination transaction, one report. */
  chunkSize: number;
  /**
   * Ranges of the order field copied at once, each on its own connections, for a table read from its start that
   * holds more than `splitAboveRows` rows. A ranged copy reports a cursor of its own (every range's progress) until
   * its last report, which carries the plain last value; handed back as `cursor.after`, it resumes the unfinished
   * ranges. Default 1: one range.
   */
  parallelism?: number;
  /** Default: never split. */
  splitAboveRows?: number;
  /** As ReadRequest.sourceSnapshot: every chunk reads inside this change-capture snapshot. */
  sourceSnapshot?: string;
}

/** A chunk the destination committed; `cursor` is the last order-field value it holds (undefined when unordered). */
export interface DirectCopyChunk {
  rows: number;
  cursor: unknown;
}

export interface DirectCopy {
  /**
   * Whether this copy can take `request` (every column's types on both sides); the engine copies records when not.
   * Absent: always.
   */
  accepts?(context: RunContext, request: DirectCopyRequest): Promise<boolean>;
  /**
   * Resolves once every chunk is committed and reported; `format` is how the rows travelled, `ranges` how many
   * parallel ranges they were copied in (absent: one stream).
   */
  copy(
    context: RunContext,
    request: DirectCopyRequest,
    onCommitted: (chunk: DirectCopyChunk) => Promise<void>,
  ): Promise<{ format: 'binary' | 'text'; ranges?: number }>;
}

/**
 * Loads lines of PostgreSQL's COPY text format (columns tab-separated, `\N` for null, backslash, newline,
 * carriage return and tab escaped with a backslash), one transaction per load. A source that can print its rows in
 * this format (MySQL's text protocol already nearly does) copies through it without decoding them into records.
 */
export interface CopyTextDestination {
  /** The table's column → type name (as its catalog names it: `int8`, `timestamptz`, `jsonb`); undefined when missing. */
  columnTypes(context: RunContext, schemaId: string): Promise<ReadonlyMap<string, string> | undefined>;
  /**
   * The lines (each ending with a newline, split anywhere between buffers) into `columns` of `schemaId`, in one
   * transaction; `merge` upserts them by `primaryKey` (of several lines with one key the last wins). Resolves to
   * the rows loaded once committed.
   */
  load(
    context: RunContext,
    request: { schemaId: string; columns: string[]; merge: boolean; primaryKey: string[] },
    lines: AsyncIterable<Buffer>,
  ): Promise<number>;
}

interface DirectCopySource {
  /** The copy into `destination`, or undefined when this connection cannot write into it directly. */
  to(destination: Connection): DirectCopy | undefined;
}

// ---- model sync (reverse ETL) -------------------------------------------------------------------

export interface ModelSource {
  /** The fields a model query yields, without running it in full (e.g. `limit 0`). */
  describeQuery(context: RunContext, query: string): Promise<FieldDescription[]>;
  /**
   * Streams the query's rows with bounded memory. With `fields` (some of the query's columns, as describeQuery names
   * them), a source may read only those; a source that cannot returns every column.
   */
  readQuery(
    context: RunContext,
    query: string,
    options?: { batchSize?: number; limit?: number; fields?: string[] },
  ): AsyncIterable<RecordBatch>;
}

export const TargetOperation = { insert: 'insert', update: 'update', upsert: 'upsert', delete: 'delete' } as const;
export type TargetOperation = (typeof TargetOperation)[keyof typeof TargetOperation];

export interface TargetObject {
  id: string;
  name: string;
  /** ModelsyncSyncTargetMode ids this object supports, e.g. create, update, updateOrCreate, remove. */
  modes: string[];
}

export interface TargetField {
  id: string;
  name: string;
  type: UtilFieldType;
  source_type: string;
  required: boolean;
  createable: boolean;
  updateable: boolean;
  supports_identity: boolean;
}

export interface TargetWriteRequest {
  objectId: string;
  operation: TargetOperation;
  /** Fields that identify a record (required for update, upsert and delete). */
  identity: string[];
  records: RecordBatch;
  /** The sync the batch belongs to, for targets that name it to their receiver (the webhook's payload). */
  sync?: { id: string; name: string };
}

/** A record the target refused for its own sake (bad value, constraint); the sync goes on. */
export interface RecordRejection {
  index: number;
  record: Row;
  code: ConnectorErrorCode;
  message: string;
}

export interface TargetWriteResult {
  inserted: number;
  updated: number;
  deleted: number;
  rejected: RecordRejection[];
}

export interface ModelTarget {
  listObjects(context: RunContext): Promise<TargetObject[]>;
  describeObject(context: RunContext, objectId: string): Promise<TargetField[]>;
  /** "Create property": adds a field to the object. */
  createField(context: RunContext, objectId: string, field: FieldSpec): Promise<void>;
  /** Systemic failures (connection, permissions, missing object) throw; per-record ones are returned. */
  write(context: RunContext, request: TargetWriteRequest): Promise<TargetWriteResult>;
  /**
   * Records one write may carry while a sync has no completed run yet (its backfill), when that is more than the
   * engine's batch: a target whose every write costs a transaction writes fewer, larger ones. Absent: one batch.
   */
  readonly backfillWriteSize?: number;
}

export type { FieldDescription, FieldSpec, RecordBatch, Row };
