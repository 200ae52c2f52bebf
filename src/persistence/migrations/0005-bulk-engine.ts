// The bulk-sync engine's state: one checkpoint row per (sync, schema), and the console log of every
// execution. Console entries need an increasing integer id (the API pages with `after`), the one
// column type that differs between the dialects: bigserial on PostgreSQL, INTEGER PRIMARY KEY
// AUTOINCREMENT on SQLite (AUTOINCREMENT so ids are never reused after a delete).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bulk_sync_checkpoints')
    .addColumn('sync_id', 'text', (column) => column.notNull())
    .addColumn('schema_id', 'text', (column) => column.notNull())
    .addColumn('execution_id', 'text', (column) => column.notNull())
    .addColumn('phase', 'text', (column) => column.notNull())
    .addColumn('cursor_field', 'text')
    .addColumn('cursor', 'text')
    .addColumn('rows', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('bulk_sync_checkpoints_pk', ['sync_id', 'schema_id'])
    .execute();
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('execution_console_logs')
    .addColumn('id', postgres ? sql`bigserial` : 'integer', (column) =>
      postgres ? column.primaryKey() : column.primaryKey().autoIncrement(),
    )
    .addColumn('execution_id', 'text', (column) => column.notNull())
    .addColumn('schema_id', 'text')
    .addColumn('level', 'text', (column) => column.notNull())
    .addColumn('message', 'text', (column) => column.notNull())
    .addColumn('payload', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('execution_console_logs_execution')
    .on('execution_console_logs')
    .columns(['execution_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('execution_console_logs').execute();
  await db.schema.dropTable('bulk_sync_checkpoints').execute();
}
