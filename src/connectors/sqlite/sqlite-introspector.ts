// Tables and columns from sqlite_schema and PRAGMA table_info (declared types, pk position).
import type Database from 'better-sqlite3';
import type { SchemaDescription } from '../records.ts';
import { fieldTypeOf, kindOfDeclaredType, type SqliteValueKind } from './sqlite-types.ts';

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

export function listSqliteTables(database: Database.Database): string[] {
  const rows = database
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .all() as { name: string }[];
  return rows.map((row) => row.name);
}

export function describeSqliteTable(database: Database.Database, table: string): SchemaDescription | undefined {
  const columns = database
    .prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)')
    .all(table) as ColumnInfo[];
  if (columns.length === 0) return undefined;
  return {
    id: table,
    name: table,
    fields: columns.map((column) => ({
      id: column.name,
      name: column.name,
      type: fieldTypeOf(column.type),
      remote_type: column.type || 'ANY',
      is_primary_key: column.pk > 0,
      nullable: column.notnull === 0 && column.pk === 0,
    })),
  };
}

/** Column name → value kind, for decoding rows and encoding parameters. */
export function sqliteColumnKinds(schema: SchemaDescription): Map<string, SqliteValueKind> {
  return new Map(schema.fields.map((field) => [field.id, kindOfDeclaredType(field.remote_type)]));
}
