// The schema catalog of each connection: refresh status, discovered schemas (replaced whole on refresh) and the
// user's overrides (kept across refreshes). Callers scope by organization before reaching a connection id.
import type { Kysely } from 'kysely';
import type { CatalogSchemasTable, Database, SchemaCatalogsTable, SchemaOverridesTable } from '../schema.ts';

export type SchemaCatalogRow = SchemaCatalogsTable;
export type CatalogSchemaRow = CatalogSchemasTable;
export type SchemaOverrideRow = SchemaOverridesTable;

export function schemaCatalogRepository(db: Kysely<Database>) {
  return {
    status(connectionId: string): Promise<SchemaCatalogRow | undefined> {
      return db.selectFrom('schema_catalogs').selectAll().where('connection_id', '=', connectionId).executeTakeFirst();
    },
    async saveStatus(row: SchemaCatalogRow): Promise<void> {
      await db
        .insertInto('schema_catalogs')
        .values(row)
        .onConflict((conflict) =>
          conflict.column('connection_id').doUpdateSet({
            cache_status: row.cache_status,
            last_refresh_started: row.last_refresh_started,
            last_refresh_finished: row.last_refresh_finished,
            last_error: row.last_error,
            job_id: row.job_id,
          }),
        )
        .execute();
    },
    listSchemas(connectionId: string): Promise<CatalogSchemaRow[]> {
      return db
        .selectFrom('catalog_schemas')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .orderBy('schema_id')
        .execute();
    },
    getSchema(connectionId: string, schemaId: string): Promise<CatalogSchemaRow | undefined> {
      return db
        .selectFrom('catalog_schemas')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('schema_id', '=', schemaId)
        .executeTakeFirst();
    },
    /** Replaces every discovered schema of the connection in one transaction, so readers never see half a refresh. */
    async replaceSchemas(connectionId: string, rows: CatalogSchemaRow[]): Promise<void> {
      await db.transaction().execute(async (transaction) => {
        await transaction.deleteFrom('catalog_schemas').where('connection_id', '=', connectionId).execute();
        // 200 rows a statement stays far below SQLite's 32 766 bound-parameter limit (5 per row).
        for (let start = 0; start < rows.length; start += 200)
          await transaction
            .insertInto('catalog_schemas')
            .values(rows.slice(start, start + 200))
            .execute();
      });
    },
    async upsertSchema(row: CatalogSchemaRow): Promise<void> {
      await db
        .insertInto('catalog_schemas')
        .values(row)
        .onConflict((conflict) =>
          conflict
            .columns(['connection_id', 'schema_id'])
            .doUpdateSet({ name: row.name, fields: row.fields, discovered_at: row.discovered_at }),
        )
        .execute();
    },
    getOverride(connectionId: string, schemaId: string): Promise<SchemaOverrideRow | undefined> {
      return db
        .selectFrom('schema_overrides')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('schema_id', '=', schemaId)
        .executeTakeFirst();
    },
    async saveOverride(row: SchemaOverrideRow): Promise<void> {
      await db
        .insertInto('schema_overrides')
        .values(row)
        .onConflict((conflict) =>
          conflict.columns(['connection_id', 'schema_id']).doUpdateSet({
            user_fields: row.user_fields,
            field_patches: row.field_patches,
            primary_keys: row.primary_keys,
            updated_at: row.updated_at,
          }),
        )
        .execute();
    },
  };
}
