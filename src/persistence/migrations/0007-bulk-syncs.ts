// Bulk syncs and their per-schema settings. Schedules are one JSON document per sync (StoredBulkSchedules from
// src/domain/schedules): they are always read and written together, and the scheduler reads them per sync.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bulk_syncs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) =>
      column.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('active', 'integer', (column) => column.notNull())
    .addColumn('source_connection_id', 'text', (column) => column.notNull())
    .addColumn('destination_connection_id', 'text', (column) => column.notNull())
    .addColumn('source_configuration', 'text', (column) => column.notNull())
    .addColumn('destination_configuration', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addColumn('schedules', 'text', (column) => column.notNull())
    .addColumn('select_all_schemas', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema
    .createIndex('bulk_syncs_organization')
    .on('bulk_syncs')
    .columns(['organization_id', 'updated_at'])
    .execute();

  await db.schema
    .createTable('bulk_sync_schemas')
    .addColumn('sync_id', 'text', (column) => column.notNull().references('bulk_syncs.id').onDelete('cascade'))
    .addColumn('schema_id', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('bulk_sync_schemas_pk', ['sync_id', 'schema_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bulk_sync_schemas').execute();
  await db.schema.dropTable('bulk_syncs').execute();
}
