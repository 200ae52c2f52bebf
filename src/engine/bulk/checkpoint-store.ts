// Where a bulk sync remembers how far each schema got. One row per (sync, schema), overwritten after
// every committed destination batch, so that:
// - a restarted attempt of the same execution resumes after the last committed batch (same
//   executionId, phase `loading`), and skips schemas already `completed`;
// - the next execution continues incrementally from `cursor` when `cursorField` is the schema's
//   tracking field (rows up to the cursor are committed in the destination, even if the run that
//   wrote them failed later).
// A sync that streams changes (docs/change-capture.md) also keeps one stream state: the stream it created on the
// source, whether its initial snapshot copy is still in progress, and the position the destination last committed.
// Implementations: memory-checkpoint-store.ts (beside this port) and
// src/persistence/stores/kysely-checkpoint-store.ts; both run test/engine/bulk/engine-stores.case.ts.

export const CheckpointPhase = {
  /** The destination table is prepared (created, truncated or rebuilt) and batches are being written. */
  loading: 'loading',
  completed: 'completed',
} as const;
export type CheckpointPhase = (typeof CheckpointPhase)[keyof typeof CheckpointPhase];

export interface BulkCheckpoint {
  syncId: string;
  schemaId: string;
  executionId: string;
  phase: CheckpointPhase;
  /** The source field the cursor is a value of (the tracking field or the primary key); null for none. */
  cursorField: string | null;
  /** The last committed row's value of `cursorField` (JSON-serialisable); null before the first batch. */
  cursor: unknown;
  /** Rows written so far by this execution for this schema. */
  rows: number;
}

export interface StoredCheckpoint extends BulkCheckpoint {
  /** ISO 8601 UTC. */
  updatedAt: string;
}

export const StreamPhase = {
  /** The stream exists on the source and its snapshot is being copied; a run that finds this starts over. */
  snapshotting: 'snapshotting',
  /** The snapshot is in the destination; `position` is where the next stream starts. */
  streaming: 'streaming',
} as const;
export type StreamPhase = (typeof StreamPhase)[keyof typeof StreamPhase];

interface StreamState {
  syncId: string;
  /** The source's name for the stream (`ferry_<sync id without dashes>`). */
  streamId: string;
  /** The connection the stream lives on, so a sweep can drop it after the sync is gone. */
  sourceConnectionId: string;
  phase: StreamPhase;
  /** The last position whose changes the destination committed; null while snapshotting. */
  position: string | null;
}

export interface StoredStreamState extends StreamState {
  /** ISO 8601 UTC; kept from the first save. */
  createdAt: string;
  updatedAt: string;
}

export interface CheckpointStore {
  load(syncId: string, schemaId: string): Promise<StoredCheckpoint | undefined>;
  /** Inserts or replaces the (syncId, schemaId) row. */
  save(checkpoint: BulkCheckpoint): Promise<void>;
  /** Forgets a schema (removed from the sync, or a rebuild requested from outside). */
  clear(syncId: string, schemaId: string): Promise<void>;
  loadStream(syncId: string): Promise<StoredStreamState | undefined>;
  /** Inserts or replaces the sync's stream state (created_at stays the first save's). */
  saveStream(state: StreamState): Promise<void>;
  clearStream(syncId: string): Promise<void>;
  /** Every recorded stream, oldest first (the orphan sweep). */
  listStreams(): Promise<StoredStreamState[]>;
}
