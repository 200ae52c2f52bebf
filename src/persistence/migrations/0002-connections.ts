// Connections: a configured system. The configuration is sealed whole (AES-256-GCM); a shared copy in a child
// organization has no configuration of its own and uses its parent's.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connections')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) =>
      column.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('configuration_sealed', 'text')
    .addColumn('parent_connection_id', 'text', (column) => column.references('connections.id').onDelete('cascade'))
    .addColumn('policies', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('healthcheck_interval', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('status_error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema
    .createIndex('connections_organization')
    .on('connections')
    .columns(['organization_id', 'created_at'])
    .execute();
  await db.schema.createIndex('connections_parent').on('connections').column('parent_connection_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('connections').execute();
}
