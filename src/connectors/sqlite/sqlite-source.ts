// Streaming reads: statement.iterate() on a private read-only handle, yielding one batch at a time
// and giving the event loop a turn between batches so an abort is seen within one batch.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { RunContext } from '../../domain/run-context.ts';
import type { BulkSource, ModelSource, ReadRequest } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { FieldDescription, RecordBatch, Row } from '../records.ts';
import type { SqliteClient } from './sqlite-client.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { describeSqliteTable, listSqliteTables, sqliteColumnKinds } from './sqlite-introspector.ts';
import {
  decodeSqliteValue,
  encodeSqliteValue,
  fieldTypeOf,
  kindOfDeclaredType,
  type SqliteValueKind,
} from './sqlite-types.ts';

const defaultBatchSize = 1000;

async function* streamStatement(
  context: RunContext,
  client: SqliteClient,
  build: (database: Database.Database) => {
    statement: Database.Statement;
    parameters: unknown[];
    kinds: Map<string, SqliteValueKind>;
  },
  options: { batchSize?: number; limit?: number },
): AsyncIterable<RecordBatch> {
  throwIfAborted(context.signal);
  const database = client.openReader();
  let iterator: IterableIterator<unknown> | undefined;
  try {
    const { statement, parameters, kinds } = build(database);
    iterator = statement.safeIntegers(true).iterate(...parameters) as IterableIterator<unknown>;
    const size = options.batchSize ?? defaultBatchSize;
    let remaining = options.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const batch: Row[] = [];
      while (batch.length < size && remaining > 0) {
        const next = iterator.next();
        if (next.done) break;
        const raw = next.value as Row;
        const row: Row = {};
        for (const key of Object.keys(raw)) row[key] = decodeSqliteValue(kinds.get(key) ?? 'unknown', raw[key]);
        batch.push(row);
        remaining -= 1;
      }
      if (batch.length === 0) return;
      yield batch;
      await yieldToEventLoop();
      throwIfAborted(context.signal);
      if (batch.length < size) return;
    }
  } catch (error: unknown) {
    throw classifySqliteError(error);
  } finally {
    iterator?.return?.();
    database.close();
  }
}

function readTable(context: RunContext, client: SqliteClient, request: ReadRequest): AsyncIterable<RecordBatch> {
  return streamStatement(
    context,
    client,
    (database) => {
      const schema = describeSqliteTable(database, request.schemaId);
      if (!schema) throw new ConnectorError(`Table ${request.schemaId} does not exist`, { code: 'object_missing' });
      const kinds = sqliteColumnKinds(schema);
      const columns = request.fields ?? schema.fields.map((field) => field.id);
      const selectList = columns.map((column) => sqliteDialect.quoteIdentifier(column)).join(', ');
      let text = `SELECT ${selectList} FROM ${sqliteDialect.quoteTable(request.schemaId)}`;
      const parameters: unknown[] = [];
      const cursor = request.cursor;
      if (cursor) {
        const column = sqliteDialect.quoteIdentifier(cursor.field);
        if (cursor.after !== undefined && cursor.after !== null) {
          text += ` WHERE ${column} ${cursor.inclusive ? '>=' : '>'} ?`;
          parameters.push(encodeSqliteValue(kinds.get(cursor.field) ?? 'unknown', cursor.after));
        }
        text += ` ORDER BY ${column}`;
      }
      return { statement: database.prepare(text), parameters, kinds };
    },
    request,
  );
}

function describeStatement(statement: Database.Statement): FieldDescription[] {
  if (!statement.reader) throw new ConnectorError('A model query must return rows (SELECT)', { code: 'invalid_query' });
  return statement.columns().map((column) => ({
    id: column.name,
    name: column.name,
    type: fieldTypeOf(column.type),
    remote_type: column.type ?? 'ANY',
    is_primary_key: false,
    nullable: true,
  }));
}

export function createSqliteSource(client: SqliteClient): BulkSource & ModelSource {
  return {
    async listSchemas(context) {
      throwIfAborted(context.signal);
      try {
        const database = client.writer();
        return listSqliteTables(database).flatMap((table) => describeSqliteTable(database, table) ?? []);
      } catch (error: unknown) {
        throw classifySqliteError(error);
      }
    },
    async describeSchema(context, schemaId) {
      throwIfAborted(context.signal);
      try {
        return describeSqliteTable(client.writer(), schemaId);
      } catch (error: unknown) {
        throw classifySqliteError(error);
      }
    },
    read: (context, request) => readTable(context, client, request),
    async describeQuery(context, query) {
      throwIfAborted(context.signal);
      try {
        return describeStatement(client.writer().prepare(query));
      } catch (error: unknown) {
        throw classifySqliteError(error, 'The query is not valid');
      }
    },
    readQuery(context, query, options = {}) {
      return streamStatement(
        context,
        client,
        (database) => {
          const statement = database.prepare(query);
          const kinds = new Map(
            describeStatement(statement).map((field) => [field.id, kindOfDeclaredType(field.remote_type)]),
          );
          return { statement, parameters: [], kinds };
        },
        options,
      );
    },
  };
}
