// CheckpointStore on the metadata database (SQLite or PostgreSQL through Kysely).
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type {
  BulkCheckpoint,
  CheckpointPhase,
  CheckpointStore,
  StoredStreamState,
  StreamPhase,
} from '../../engine/bulk/checkpoint-store.ts';

export function createKyselyCheckpointStore(db: Kysely<Database>, now: () => Date = () => new Date()): CheckpointStore {
  return {
    async load(syncId, schemaId) {
      const row = await db
        .selectFrom('bulk_sync_checkpoints')
        .selectAll()
        .where('sync_id', '=', syncId)
        .where('schema_id', '=', schemaId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        syncId: row.sync_id,
        schemaId: row.schema_id,
        executionId: row.execution_id,
        phase: row.phase as CheckpointPhase,
        cursorField: row.cursor_field,
        cursor: row.cursor === null ? null : JSON.parse(row.cursor),
        rows: Number(row.rows),
        updatedAt: row.updated_at,
      };
    },
    save: (checkpoint) => saveCheckpoint(db, checkpoint, now()),
    async clear(syncId, schemaId) {
      await db
        .deleteFrom('bulk_sync_checkpoints')
        .where('sync_id', '=', syncId)
        .where('schema_id', '=', schemaId)
        .execute();
    },
    async loadStream(syncId) {
      const row = await db
        .selectFrom('change_capture_streams')
        .selectAll()
        .where('sync_id', '=', syncId)
        .executeTakeFirst();
      return row && streamStateOf(row);
    },
    async saveStream(state) {
      const at = now().toISOString();
      const values = {
        stream_id: state.streamId,
        source_connection_id: state.sourceConnectionId,
        phase: state.phase,
        position: state.position,
        updated_at: at,
      };
      await db
        .insertInto('change_capture_streams')
        .values({ sync_id: state.syncId, ...values, created_at: at })
        .onConflict((conflict) => conflict.column('sync_id').doUpdateSet(values))
        .execute();
    },
    async clearStream(syncId) {
      await db.deleteFrom('change_capture_streams').where('sync_id', '=', syncId).execute();
    },
    async listStreams() {
      const rows = await db.selectFrom('change_capture_streams').selectAll().orderBy('created_at').execute();
      return rows.map(streamStateOf);
    },
  };
}

function streamStateOf(row: {
  sync_id: string;
  stream_id: string;
  source_connection_id: string;
  phase: string;
  position: string | null;
  created_at: string;
  updated_at: string;
}): StoredStreamState {
  return {
    syncId: row.sync_id,
    streamId: row.stream_id,
    sourceConnectionId: row.source_connection_id,
    phase: row.phase as StreamPhase,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The hot-path write: one upsert per committed destination batch (default 5000 rows, so at most a few
 * per second per schema). INSERT … ON CONFLICT is one statement on both dialects (SQLite ≥ 3.24), so
 * no read-then-write race between two attempts; on SQLite WAL it costs well under a millisecond.
 */
async function saveCheckpoint(db: Kysely<Database>, checkpoint: BulkCheckpoint, at: Date): Promise<void> {
  const values = {
    execution_id: checkpoint.executionId,
    phase: checkpoint.phase,
    cursor_field: checkpoint.cursorField,
    cursor: checkpoint.cursor === null || checkpoint.cursor === undefined ? null : JSON.stringify(checkpoint.cursor),
    rows: checkpoint.rows,
    updated_at: at.toISOString(),
  };
  await db
    .insertInto('bulk_sync_checkpoints')
    .values({ sync_id: checkpoint.syncId, schema_id: checkpoint.schemaId, ...values })
    .onConflict((conflict) => conflict.columns(['sync_id', 'schema_id']).doUpdateSet(values))
    .execute();
}
