// Roles (labels users hold) and policies (which roles may do which action), per organization. Built-in ones carry a
// `system_key` and are inserted on first use of an organization (services/permissions-catalog.ts), so organizations
// created before this migration get them too.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('roles')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('system_key', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('roles_by_organization').on('roles').columns(['organization_id', 'name']).execute();
  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('system_key', 'text')
    .addColumn('policy_actions', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('policies_by_organization').on('policies').columns(['organization_id', 'name']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('policies').execute();
  await db.schema.dropTable('roles').execute();
}
