// The change-capture contract: a source connection whose configuration turns change capture on
// (`change_detection: true`) exposes `Connection.changeCapture`, and the bulk engine uses it instead of table scans.
// The source owns everything about its log (PostgreSQL's replication slot and pgoutput, MySQL's binlog); the engine
// owns applying changes to the destination and checkpointing positions. Nothing here knows the engine.
import type { RunContext } from '../domain/run-context.ts';
import type { FieldDescription, Row } from './records.ts';

/**
 * A place in the source's change log, opaque to the engine: a PostgreSQL LSN (`16/B374D848`), a MySQL GTID set or
 * binlog file and offset encoded by the connector. The engine stores it and hands it back; only the source compares.
 */
export type ChangePosition = string;

/** One thing the source needs for change capture, checked by the connection test and before a run. */
export interface ChangeCaptureRequirement {
  /** Short stable name: `wal_level`, `replication_role`, `max_replication_slots`, `binlog_format`, … */
  name: string;
  ok: boolean;
  /** Plain words: what was found, and when not ok what to change (`wal_level is replica; set it to logical`). */
  message: string;
  /** A failing requirement that does not stop a stream (PostgreSQL's wal_sender_timeout = 0): reported, not refused. */
  warning?: boolean;
}

/** Changes in source commit order. Every row carries the source's field ids, as BulkSource.read does. */
export type Change =
  /** An insert or an update: the new row. `unchanged` lists fields the log did not carry (PostgreSQL's unchanged
   *  TOASTed values): the destination keeps what it has for them, they are never written as null. */
  | { kind: 'upsert'; schemaId: string; row: Row; unchanged?: string[] }
  /** A delete: the old row's key fields (every field when the table's identity is the full row). */
  | { kind: 'delete'; schemaId: string; key: Row }
  | { kind: 'truncate'; schemaId: string }
  /** The source table's columns as they now are (a new column was added): the destination evolves before the
   *  changes that follow. */
  | { kind: 'schema'; schemaId: string; fields: FieldDescription[] };

export interface ChangeBatch {
  changes: Change[];
  /**
   * Set when the batch ends at a source transaction boundary: once the destination has committed every change up
   * to and including this batch, a new stream started from `position` misses nothing and repeats nothing. Undefined
   * for a batch that ends inside a large source transaction (such batches keep memory bounded; the engine applies
   * them but checkpoints only at the next batch that has a position).
   */
  position?: ChangePosition;
  /** Commit time of the last source transaction in the batch, for lag; undefined when unknown. */
  committedAt?: Date;
}

export interface ChangeStream extends AsyncIterable<ChangeBatch> {
  /**
   * The destination has durably committed everything up to `position`: the source may release the log before it
   * (PostgreSQL: the slot's confirmed flush LSN advances). Never called with a position the engine has not
   * committed.
   */
  confirm(position: ChangePosition): Promise<void>;
  /** Ends the stream and releases its connection. Idempotent. */
  close(): Promise<void>;
}

interface ChangeStreamStart {
  /**
   * Where the log consistent with the snapshot begins: stream from here after copying the snapshot.
   */
  position: ChangePosition;
  /**
   * A snapshot of the tables exactly at `position`, for the initial copy: pass `snapshot.id` as
   * `ReadRequest.sourceSnapshot` (or `DirectCopyRequest.sourceSnapshot`) to read inside it. Valid until
   * `release()`, which the engine calls once every table is copied (or the run ends).
   */
  snapshot: { id: string; release(): Promise<void> };
}

export interface ChangeCaptureSource {
  /** What the source needs, each named; all ok means a stream can be opened. Never throws for a missing one. */
  check(context: RunContext, schemaIds?: string[]): Promise<ChangeCaptureRequirement[]>;
  /**
   * Creates the stream's server-side state (PostgreSQL: a replication slot and, when none is configured and the role
   * may, a publication for exactly `schemaIds`) and returns the snapshot consistent with its start. `streamId` is
   * the connector-safe name the engine derives from the sync (`ferry_<sync id without dashes>`). Throws a
   * ConnectorError naming what is missing when a requirement fails. Called only when no position is stored.
   */
  start(context: RunContext, request: { streamId: string; schemaIds: string[] }): Promise<ChangeStreamStart>;
  /**
   * Changes committed after `from`, in commit order, in batches of at most `maxChanges`. With `stopAtCurrent` the
   * iteration ends once it has delivered everything committed before the call (a scheduled, non-continuous run);
   * otherwise it runs until `context.signal` aborts or `close()`.
   */
  stream(
    context: RunContext,
    request: {
      streamId: string;
      schemaIds: string[];
      from: ChangePosition;
      stopAtCurrent: boolean;
      maxChanges: number;
    },
  ): Promise<ChangeStream>;
  /**
   * How far the stream's retained log is behind the source's current end, in bytes; undefined when not known.
   * `confirmed` is the stream's last checkpointed position: a source that keeps no stream state on the server
   * (MySQL) measures from it when this connection has not confirmed a later one, so any process can ask (the
   * sync status route); a source that records the stream itself (a PostgreSQL slot) measures from that record.
   */
  lag(context: RunContext, streamId: string, confirmed?: ChangePosition): Promise<{ bytesBehind: number } | undefined>;
  /** Drops the stream's server-side state (slot, and a publication it created). A missing stream is not an error. */
  drop(context: RunContext, streamId: string): Promise<void>;
  /** The stream ids with server-side state on this source that start with `prefix` (orphan sweeps). */
  list(context: RunContext, prefix: string): Promise<string[]>;
}
