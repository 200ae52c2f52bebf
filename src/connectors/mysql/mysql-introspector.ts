// Columns from information_schema, limited to the configured database (schema ids are `db.table`).
import type { RunContext } from '../../domain/run-context.ts';
import type { SchemaDescription } from '../records.ts';
import type { MysqlClient } from './mysql-client.ts';
import { fieldTypeOfKind, kindOfColumn, type MysqlValueKind } from './mysql-types.ts';

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  DATA_TYPE: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: string;
  COLUMN_KEY: string;
}

export type MysqlSchema = SchemaDescription & { kinds: Map<string, MysqlValueKind> };

/** `test.users` → ['test', 'users']; a bare name means the configured database. */
export function splitMysqlSchemaId(schemaId: string, database: string): [string, string] {
  const dot = schemaId.indexOf('.');
  return dot < 0 ? [database, schemaId] : [schemaId.slice(0, dot), schemaId.slice(dot + 1)];
}

export async function describeMysqlTables(
  context: RunContext,
  client: MysqlClient,
  schemaId?: string,
): Promise<MysqlSchema[]> {
  const [database, table] = schemaId ? splitMysqlSchemaId(schemaId, client.database) : [client.database, null];
  const columns = await client.query<ColumnRow[]>(
    context,
    `select TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY from information_schema.COLUMNS
     where TABLE_SCHEMA = ? and (? is null or TABLE_NAME = ?) order by TABLE_NAME, ORDINAL_POSITION`,
    [database, table, table],
  );
  // MariaDB's JSON is LONGTEXT plus a column CHECK (json_valid(`c`)); MySQL reports DATA_TYPE json.
  const checks = await client
    .query<{ TABLE_NAME: string; CHECK_CLAUSE: string }[]>(
      context,
      'select TABLE_NAME, CHECK_CLAUSE from information_schema.CHECK_CONSTRAINTS where CONSTRAINT_SCHEMA = ?',
      [database],
    )
    .catch(() => []);
  const jsonColumns = new Set(
    checks.flatMap((check) =>
      [...check.CHECK_CLAUSE.matchAll(/json_valid\(`([^`]+)`\)/gi)].map((match) => `${check.TABLE_NAME}.${match[1]}`),
    ),
  );
  const tables = new Map<string, MysqlSchema>();
  for (const column of columns) {
    const id = `${database}.${column.TABLE_NAME}`;
    let schema = tables.get(id);
    if (!schema) {
      schema = { id, name: id, fields: [], kinds: new Map() };
      tables.set(id, schema);
    }
    const isJson = jsonColumns.has(`${column.TABLE_NAME}.${column.COLUMN_NAME}`);
    const kind = isJson ? 'json' : kindOfColumn(column.DATA_TYPE, column.COLUMN_TYPE);
    schema.kinds.set(column.COLUMN_NAME, kind);
    schema.fields.push({
      id: column.COLUMN_NAME,
      name: column.COLUMN_NAME,
      type: fieldTypeOfKind(kind),
      remote_type: isJson ? 'json' : column.COLUMN_TYPE,
      is_primary_key: column.COLUMN_KEY === 'PRI',
      nullable: column.IS_NULLABLE === 'YES',
    });
  }
  return [...tables.values()];
}

export function withoutKinds({ kinds: _kinds, ...schema }: MysqlSchema): SchemaDescription {
  return schema;
}
