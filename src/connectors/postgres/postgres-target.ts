// Model-sync target on PostgreSQL: tables are objects; writes use the shared per-record writer.
import type { ModelTarget } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { writeTargetRecords } from '../sql/sql-target-writer.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { describePostgresTable, listPostgresSchemas } from './postgres-introspector.ts';
import { encodePostgresValue, postgresTypeFor } from './postgres-types.ts';
import { tableColumnAsTargetField } from '../sql/table-target-field.ts';

const modes = ['create', 'update', 'updateOrCreate', 'remove'];

// What a write needs from the catalog, in one round trip a batch (bench/model-sync/writer-probe.ts: the
// introspector's query plus this one cost 2.2 ms a batch together):
// - whether the table exists;
// - each column's type name for encoding values (as the introspector names it: 'array' for arrays);
// - each column's type for casts inside VALUES, schema-qualified and without its modifier (`varchar(20)` as a
//   cast would truncate silently, where assigning to the column raises an error);
// - the unique keys an ON CONFLICT can name: immediate, whole-table indexes on plain columns.
const writeCatalogQuery = `
  select
    target.oid is not null as exists,
    (select json_agg(json_build_object('name', a.attname, 'type', quote_ident(n.nspname) || '.' || quote_ident(t.typname),
                                       'type_name', case when t.typcategory = 'A' then 'array' else t.typname end))
     from pg_attribute a
     join pg_type t on t.oid = a.atttypid
     join pg_namespace n on n.oid = t.typnamespace
     where a.attrelid = target.oid and a.attnum > 0 and not a.attisdropped) as columns,
    (select json_agg(array(select a.attname from unnest(i.indkey) as k(attnum) join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum))
     from pg_index i
     where i.indrelid = target.oid and i.indisunique and i.indimmediate and i.indpred is null and i.indexprs is null) as unique_keys
  from (select to_regclass($1) as oid) as target`;

interface WriteCatalog {
  exists: boolean;
  columns: { name: string; type: string; type_name: string }[] | null;
  unique_keys: string[][] | null;
}

export function createPostgresTarget(client: PostgresClient): ModelTarget {
  const describe = async (context: Parameters<ModelTarget['listObjects']>[0], objectId: string) => {
    const described = await describePostgresTable(context, client, objectId);
    if (!described) throw new ConnectorError(`Table ${objectId} does not exist`, { code: 'object_missing' });
    return described;
  };
  return {
    async listObjects(context) {
      return (await listPostgresSchemas(context, client)).map((schema) => ({
        id: schema.id,
        name: schema.name,
        modes,
      }));
    },
    async describeObject(context, objectId) {
      return (await describe(context, objectId)).fields.map(tableColumnAsTargetField);
    },
    async createField(context, objectId, field) {
      await client.query(
        context,
        `alter table ${postgresDialect.quoteTable(objectId)} add column if not exists ${postgresDialect.quoteIdentifier(field.id)} ${postgresTypeFor(field)}`,
      );
    },
    async write(context, request) {
      return client.withClient(context, async (connection) => {
        await connection.query('begin');
        try {
          const [catalog] = (
            await connection.query<WriteCatalog>(writeCatalogQuery, [postgresDialect.quoteTable(request.objectId)])
          ).rows;
          if (!catalog.exists)
            throw new ConnectorError(`Table ${request.objectId} does not exist`, { code: 'object_missing' });
          const columns = new Map((catalog.columns ?? []).map((column) => [column.name, column]));
          const result = await writeTargetRecords(
            context,
            {
              dialect: postgresDialect,
              async run(statement) {
                return (await connection.query(statement.text, statement.values)).rowCount ?? 0;
              },
              async rows(statement) {
                return (await connection.query(statement.text, statement.values)).rows;
              },
              castType: (column) => columns.get(column)?.type,
              uniqueKeys: catalog.unique_keys ?? [],
              classify: (error) => classifyPostgresError(error),
              encode: (column, value) => encodePostgresValue(columns.get(column)?.type_name, value),
              async restartTransaction() {
                await connection.query('rollback');
                await connection.query('begin');
              },
            },
            request,
          );
          await connection.query('commit');
          return result;
        } catch (error: unknown) {
          await connection.query('rollback').catch(() => {});
          throw error;
        }
      });
    },
  };
}
