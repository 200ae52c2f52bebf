// Bulk writes: one transaction per batch, prepared statements reused per column set (SQLite has
// no network round trip, so row-at-a-time inside a transaction is as fast as multi-row VALUES).
import type Database from 'better-sqlite3';
import type { BulkDestination, TableOperation, WriteRequest } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { FieldSpec, Row } from '../records.ts';
import { buildDelete, buildInsert, columnsOf } from '../sql/sql-statements.ts';
import type { SqliteClient } from './sqlite-client.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { describeSqliteTable, sqliteColumnKinds } from './sqlite-introspector.ts';
import type { createSqliteSource } from './sqlite-source.ts';
import { declaredTypeFor, encodeSqliteValue } from './sqlite-types.ts';

const quote = sqliteDialect.quoteIdentifier;

function columnDefinition(field: FieldSpec): string {
  return `${quote(field.id)} ${declaredTypeFor(field)}`;
}

function applyOperation(database: Database.Database, operation: TableOperation): void {
  const table = sqliteDialect.quoteTable(operation.schemaId);
  const exists = describeSqliteTable(database, operation.schemaId) !== undefined;
  switch (operation.kind) {
    case 'create_table': {
      const key =
        operation.primaryKey.length > 0 ? `, PRIMARY KEY (${operation.primaryKey.map(quote).join(', ')})` : '';
      const columns = operation.fields.map((field) =>
        operation.primaryKey.includes(field.id) ? `${columnDefinition(field)} NOT NULL` : columnDefinition(field),
      );
      const ifNotExists = operation.ifNotExists ? 'IF NOT EXISTS ' : '';
      database.exec(`CREATE TABLE ${ifNotExists}${table} (${columns.join(', ')}${key})`);
      return;
    }
    case 'add_fields': {
      const existing = new Set(
        describeSqliteTable(database, operation.schemaId)?.fields.map((field) => field.id) ?? [],
      );
      if (!exists) throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      for (const field of operation.fields) {
        if (!existing.has(field.id)) database.exec(`ALTER TABLE ${table} ADD COLUMN ${columnDefinition(field)}`);
      }
      return;
    }
    case 'truncate':
      database.exec(`DELETE FROM ${table}`);
      return;
    case 'drop':
      if (!exists && !operation.ifExists)
        throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      database.exec(`DROP TABLE IF EXISTS ${table}`);
      return;
  }
}

function writeBatch(database: Database.Database, request: WriteRequest): number {
  const schema = describeSqliteTable(database, request.schemaId);
  if (!schema) throw new ConnectorError(`Table ${request.schemaId} does not exist`, { code: 'object_missing' });
  const kinds = sqliteColumnKinds(schema);
  const encode = (column: string, value: unknown) => encodeSqliteValue(kinds.get(column) ?? 'unknown', value);
  const key = request.primaryKey ?? schema.fields.filter((field) => field.is_primary_key).map((field) => field.id);
  if (request.mode !== 'insert' && key.length === 0) {
    throw new ConnectorError(`${request.mode} into ${request.schemaId} needs a primary key`, {
      code: 'invalid_configuration',
      field: 'primaryKey',
    });
  }
  const columns = columnsOf(request.records);
  const statements = new Map<string, Database.Statement>();
  const run = (statement: { text: string; values: unknown[] }) => {
    let prepared = statements.get(statement.text);
    if (!prepared) {
      prepared = database.prepare(statement.text);
      statements.set(statement.text, prepared);
    }
    prepared.run(...statement.values);
  };
  database.transaction((records: Row[]) => {
    for (const record of records) {
      if (request.mode === 'delete') run(buildDelete(sqliteDialect, request.schemaId, key, record, encode));
      else
        run(
          buildInsert(
            sqliteDialect,
            request.schemaId,
            columns,
            [record],
            encode,
            request.mode === 'upsert' ? key : undefined,
          ),
        );
    }
  })(request.records);
  return request.records.length;
}

export function createSqliteDestination(
  client: SqliteClient,
  source: ReturnType<typeof createSqliteSource>,
): BulkDestination {
  return {
    describeSchema: source.describeSchema,
    read: source.read,
    async apply(context, operation) {
      throwIfAborted(context.signal);
      try {
        applyOperation(client.writer(), operation);
      } catch (error: unknown) {
        throw classifySqliteError(error, `${operation.kind} ${operation.schemaId}`);
      }
    },
    async write(context, request) {
      throwIfAborted(context.signal);
      try {
        return { written: writeBatch(client.writer(), request) };
      } catch (error: unknown) {
        throw classifySqliteError(error, `writing ${request.schemaId}`);
      }
    },
  };
}
