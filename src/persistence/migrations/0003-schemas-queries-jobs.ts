// Jobs (asynchronous work the API answers for at once), the per-connection schema catalog with its user
// overrides, and ad-hoc query runs. JSON is text and timestamps are ISO text, as everywhere (schema.ts).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) =>
      column.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('jobs_organization').on('jobs').columns(['organization_id', 'type']).execute();

  // One row per connection once its catalog has been asked for; cache_status is empty|refreshing|fresh|failed.
  await db.schema
    .createTable('schema_catalogs')
    .addColumn('connection_id', 'text', (column) =>
      column.primaryKey().references('connections.id').onDelete('cascade'),
    )
    .addColumn('organization_id', 'text', (column) => column.notNull())
    .addColumn('cache_status', 'text', (column) => column.notNull())
    .addColumn('last_refresh_started', 'text')
    .addColumn('last_refresh_finished', 'text')
    .addColumn('last_error', 'text')
    .addColumn('job_id', 'text')
    .execute();

  // Discovered schemas: the connector's description, replaced whole on each refresh.
  await db.schema
    .createTable('catalog_schemas')
    .addColumn('connection_id', 'text', (column) => column.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('schema_id', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('fields', 'text', (column) => column.notNull())
    .addColumn('discovered_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('catalog_schemas_pk', ['connection_id', 'schema_id'])
    .execute();

  // What users changed on top of discovery; kept across refreshes.
  await db.schema
    .createTable('schema_overrides')
    .addColumn('connection_id', 'text', (column) => column.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('schema_id', 'text', (column) => column.notNull())
    .addColumn('user_fields', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('field_patches', 'text', (column) => column.notNull().defaultTo('{}'))
    .addColumn('primary_keys', 'text')
    .addColumn('updated_at', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('schema_overrides_pk', ['connection_id', 'schema_id'])
    .execute();

  // An ad-hoc query; its status and results live in the job with the same id.
  await db.schema
    .createTable('queries')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('organization_id', 'text', (column) =>
      column.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('connection_id', 'text', (column) => column.notNull().references('connections.id').onDelete('cascade'))
    .addColumn('query', 'text', (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('expires_at', 'text', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('queries_expiry').on('queries').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['queries', 'schema_overrides', 'catalog_schemas', 'schema_catalogs', 'jobs'])
    await db.schema.dropTable(table).execute();
}
