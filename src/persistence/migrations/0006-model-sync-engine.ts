// Model-sync change detection: the state last delivered per sync and identity, and the baseline
// that says the first execution has completed (skip_initial_backfill looks at it).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('model_sync_record_states')
    .addColumn('sync_id', 'text', (column) => column.notNull())
    .addColumn('identity_key', 'text', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .addColumn('identity', 'text', (column) => column.notNull())
    .addColumn('seen_execution_id', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('model_sync_record_states_pk', ['sync_id', 'identity_key'])
    .execute();
  await db.schema
    .createTable('model_sync_baselines')
    .addColumn('sync_id', 'text', (column) => column.primaryKey())
    .addColumn('execution_id', 'text', (column) => column.notNull())
    .addColumn('established_at', 'text', (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('model_sync_baselines').execute();
  await db.schema.dropTable('model_sync_record_states').execute();
}
