// What the scheduler knows about each firing schedule (docs/schedules.md, "The scheduler"), and which executions it
// started. One row per (sync kind, sync, schedule). `claims` is the row's version: a claim advances it with
// `UPDATE … WHERE claims = $seen` in the transaction that inserts the execution and enqueues its job, so each due
// time fires once however many processes look at it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedule_states')
    .addColumn('sync_kind', 'text', (column) => column.notNull())
    .addColumn('sync_id', 'text', (column) => column.notNull())
    .addColumn('schedule_id', 'text', (column) => column.notNull())
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('frequency', 'text', (column) => column.notNull())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('next_fire_at', 'text')
    .addColumn('watermark', 'text')
    .addColumn('claims', 'integer', (column) => column.notNull())
    .addColumn('last_fired_at', 'text')
    .addColumn('last_execution_id', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('schedule_states_pk', ['sync_kind', 'sync_id', 'schedule_id'])
    .execute();
  await db.schema.createIndex('schedule_states_next_fire').on('schedule_states').columns(['next_fire_at']).execute();
  await db.schema
    .alterTable('bulk_sync_executions')
    .addColumn('type', 'text', (column) => column.notNull().defaultTo('manual'))
    .execute();
  // The schedule(s) that fired a scheduled execution, so that its log lines can name them.
  await db.schema.alterTable('bulk_sync_executions').addColumn('schedule_id', 'text').execute();
  await db.schema.alterTable('model_sync_executions').addColumn('schedule_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('model_sync_executions').dropColumn('schedule_id').execute();
  await db.schema.alterTable('bulk_sync_executions').dropColumn('schedule_id').execute();
  await db.schema.alterTable('bulk_sync_executions').dropColumn('type').execute();
  await db.schema.dropTable('schedule_states').execute();
}
