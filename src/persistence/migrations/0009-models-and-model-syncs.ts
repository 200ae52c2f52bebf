// Models, model syncs and model-sync executions. Each row keeps its nested spec objects (fields, mappings,
// filters, target, schedule, counts) as JSON documents: they are always read and written whole, and only
// the columns the API filters or orders by are real columns.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('models')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) =>
      column.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('connection_id', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('configuration', 'text', (column) => column.notNull())
    .addColumn('identifier', 'text')
    .addColumn('fields', 'text', (column) => column.notNull())
    .addColumn('settings', 'text', (column) => column.notNull())
    .addColumn('version', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema.createIndex('models_organization').on('models').columns(['organization_id', 'updated_at']).execute();

  await db.schema
    .createTable('model_syncs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) =>
      column.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('mode', 'text', (column) => column.notNull())
    .addColumn('active', 'integer', (column) => column.notNull())
    .addColumn('model_id', 'text', (column) => column.notNull())
    .addColumn('target_connection_id', 'text', (column) => column.notNull())
    .addColumn('target_object', 'text')
    .addColumn('definition', 'text', (column) => column.notNull())
    .addColumn('schedule', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema
    .createIndex('model_syncs_organization')
    .on('model_syncs')
    .columns(['organization_id', 'updated_at', 'id'])
    .execute();
  await db.schema.createIndex('model_syncs_model').on('model_syncs').columns(['model_id']).execute();

  await db.schema
    .createTable('model_sync_executions')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('sync_id', 'text', (column) => column.notNull().references('model_syncs.id').onDelete('cascade'))
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('options', 'text', (column) => column.notNull())
    .addColumn('counts', 'text', (column) => column.notNull())
    .addColumn('errors', 'text', (column) => column.notNull())
    .addColumn('record_logs', 'text')
    .addColumn('cancel_requested', 'integer', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('model_sync_executions_sync')
    .on('model_sync_executions')
    .columns(['sync_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('model_sync_executions').execute();
  await db.schema.dropTable('model_syncs').execute();
  await db.schema.dropTable('models').execute();
}
