// Bulk sync executions, and the embedded job queue's table (used when the metadata database is SQLite; on
// PostgreSQL graphile-worker keeps its own schema, installed by its prepare step).
import { SqliteAdapter, type Kysely } from 'kysely';
import { createEmbeddedQueueTables } from '../../queue/embedded/embedded-queue-tables.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bulk_sync_executions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sync_id', 'text', (column) => column.notNull().references('bulk_syncs.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('fetch_mode', 'text', (column) => column.notNull())
    .addColumn('resync_mode', 'text', (column) => column.notNull())
    .addColumn('is_test', 'integer', (column) => column.notNull())
    .addColumn('requested_schemas', 'text')
    .addColumn('schemas', 'text', (column) => column.notNull())
    .addColumn('record_count', 'integer', (column) => column.notNull())
    .addColumn('error_count', 'integer', (column) => column.notNull())
    .addColumn('warning_count', 'integer', (column) => column.notNull())
    .addColumn('status_message', 'text')
    .addColumn('cancel_requested', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('bulk_sync_executions_sync')
    .on('bulk_sync_executions')
    .columns(['sync_id', 'created_at'])
    .execute();
  if (db.getExecutor().adapter instanceof SqliteAdapter) await createEmbeddedQueueTables(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bulk_sync_executions').execute();
}
