// Tables, views and their columns from pg_catalog (information_schema hides types' categories and
// is slow on large catalogs). System schemas are left out.
import type { RunContext } from '../../domain/run-context.ts';
import type { SchemaDescription } from '../records.ts';
import type { PostgresClient } from './postgres-client.ts';
import { fieldTypeOf } from './postgres-types.ts';

interface ColumnRow {
  schema_name: string;
  table_name: string;
  column_name: string;
  remote_type: string;
  type_name: string;
  category: string;
  not_null: boolean;
  is_primary_key: boolean;
}

const columnsQuery = `
  select n.nspname as schema_name, c.relname as table_name, a.attname as column_name,
         format_type(a.atttypid, a.atttypmod) as remote_type,
         case when t.typcategory = 'A' then 'array' else t.typname end as type_name,
         t.typcategory as category, a.attnotnull as not_null,
         coalesce(a.attnum = any(i.indkey), false) as is_primary_key
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  join pg_type t on t.oid = a.atttypid
  left join pg_index i on i.indrelid = c.oid and i.indisprimary
  where c.relkind in ('r', 'p', 'v', 'm', 'f')
    and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
    and ($1::text is null or n.nspname = $1) and ($2::text is null or c.relname = $2)
  order by n.nspname, c.relname, a.attnum`;

export interface PostgresColumnTypes {
  /** column → pg type name ('array' for arrays), for encoding parameters. */
  typeNames: Map<string, string>;
}

/** `public.users` → ['public', 'users']; a bare name means the `public` schema. */
export function splitSchemaId(schemaId: string): [string, string] {
  const dot = schemaId.indexOf('.');
  return dot < 0 ? ['public', schemaId] : [schemaId.slice(0, dot), schemaId.slice(dot + 1)];
}

async function describeMany(context: RunContext, client: PostgresClient, schema: string | null, table: string | null) {
  const { rows } = await client.query<ColumnRow>(context, columnsQuery, [schema, table]);
  const tables = new Map<string, SchemaDescription & { typeNames: Map<string, string> }>();
  for (const row of rows) {
    const id = `${row.schema_name}.${row.table_name}`;
    let described = tables.get(id);
    if (!described) {
      described = { id, name: id, fields: [], typeNames: new Map() };
      tables.set(id, described);
    }
    described.typeNames.set(row.column_name, row.type_name);
    described.fields.push({
      id: row.column_name,
      name: row.column_name,
      type: fieldTypeOf(row.type_name, row.category),
      remote_type: row.remote_type,
      is_primary_key: row.is_primary_key,
      nullable: !row.not_null,
    });
  }
  return [...tables.values()];
}

export async function listPostgresSchemas(context: RunContext, client: PostgresClient): Promise<SchemaDescription[]> {
  return (await describeMany(context, client, null, null)).map(({ typeNames: _typeNames, ...schema }) => schema);
}

export async function describePostgresTable(
  context: RunContext,
  client: PostgresClient,
  schemaId: string,
): Promise<(SchemaDescription & PostgresColumnTypes) | undefined> {
  const [schema, table] = splitSchemaId(schemaId);
  return (await describeMany(context, client, schema, table))[0];
}
