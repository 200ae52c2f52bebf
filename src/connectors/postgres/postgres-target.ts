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

// The batch writer casts parameters inside VALUES to the column's type, schema-qualified and without its
// modifier: `varchar(20)` as a cast would truncate silently, where assigning to the column raises an error.
const castTypesQuery = `
  select a.attname as column_name, quote_ident(n.nspname) || '.' || quote_ident(t.typname) as cast_type
  from pg_attribute a
  join pg_type t on t.oid = a.atttypid
  join pg_namespace n on n.oid = t.typnamespace
  where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped`;

export function createPostgresTarget(client: PostgresClient): ModelTarget {
  const describe = async (context: Parameters<ModelTarget['listObjects']>[0], objectId: string) => {
    const described = await describePostgresTable(context, client, objectId);
    if (!described) throw new ConnectorError(`Table ${objectId} does not exist`, { code: 'object_missing' });
    return described;
  };
  return {
    async listObjects(context) {
      return (await listPostgresSchemas(context, client)).map((schema) => ({ id: schema.id, name: schema.name, modes }));
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
      const { typeNames } = await describe(context, request.objectId);
      return client.withClient(context, async (connection) => {
        await connection.query('begin');
        try {
          const castTypes = request.operation === 'insert'
            ? new Map<string, string>()
            : new Map((await connection.query<{ column_name: string; cast_type: string }>(castTypesQuery, [postgresDialect.quoteTable(request.objectId)])).rows.map((row) => [row.column_name, row.cast_type]));
          const result = await writeTargetRecords(context, {
            dialect: postgresDialect,
            async run(statement) {
              return (await connection.query(statement.text, statement.values)).rowCount ?? 0;
            },
            async rows(statement) {
              return (await connection.query(statement.text, statement.values)).rows;
            },
            castType: (column) => castTypes.get(column),
            classify: (error) => classifyPostgresError(error),
            encode: (column, value) => encodePostgresValue(typeNames.get(column), value),
          }, request);
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
