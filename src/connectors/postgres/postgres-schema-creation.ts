// A bulk destination table may name a schema that does not exist yet (destination_configuration.schema): the schema
// is created with the table, as users expect from a tool that creates tables. Existence is checked first because
// CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database before it looks, so it would fail for a
// role that may write into an existing schema but not create one.
import type { RunContext } from '../../domain/run-context.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { splitSchemaId } from './postgres-introspector.ts';

const schemaExistsQuery = 'select 1 from pg_catalog.pg_namespace where nspname = $1';

async function schemaExists(context: RunContext, client: PostgresClient, schema: string): Promise<boolean> {
  return (await client.query(context, schemaExistsQuery, [schema])).rows.length > 0;
}

/** Creates the schema part of `schemaId` (`public` when it has none) when it is missing. */
export async function ensurePostgresSchema(context: RunContext, client: PostgresClient, schemaId: string) {
  const [schema] = splitSchemaId(schemaId);
  if (await schemaExists(context, client, schema)) return;
  try {
    await client.query(context, `create schema if not exists ${postgresDialect.quoteIdentifier(schema)}`);
  } catch (error: unknown) {
    // Two runs creating the same schema at once: the loser's IF NOT EXISTS can still hit the catalog's unique index.
    if (!(await schemaExists(context, client, schema))) throw error;
  }
}
