// Bulk writes: one transaction per batch, multi-row INSERT … ON DUPLICATE KEY UPDATE.
import type { RunContext } from '../../domain/run-context.ts';
import type { BulkDestination, BulkSource, TableOperation, WriteRequest } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { buildDelete, buildInsert, chunkRows, columnsOf } from '../sql/sql-statements.ts';
import type { MysqlClient } from './mysql-client.ts';
import { ensureMysqlDatabase } from './mysql-database-creation.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { classifyMysqlError } from './mysql-errors.ts';
import { describeMysqlTables } from './mysql-introspector.ts';
import { encodeMysqlValue, mysqlTypeFor } from './mysql-types.ts';

const quote = mysqlDialect.quoteIdentifier;

function operationSql(operation: TableOperation, existing: Set<string> | undefined): string[] {
  const table = mysqlDialect.quoteTable(operation.schemaId);
  switch (operation.kind) {
    case 'create_table': {
      const columns = operation.fields.map((field) => {
        const key = operation.primaryKey.includes(field.id);
        return `${quote(field.id)} ${mysqlTypeFor(field, key)}${key ? ' not null' : ''}`;
      });
      if (operation.primaryKey.length > 0) columns.push(`primary key (${operation.primaryKey.map(quote).join(', ')})`);
      return [
        `create table ${operation.ifNotExists ? 'if not exists ' : ''}${table} (${columns.join(', ')}) default charset = utf8mb4`,
      ];
    }
    case 'add_fields':
      if (!existing) throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      return operation.fields
        .filter((field) => !existing.has(field.id))
        .map((field) => `alter table ${table} add column ${quote(field.id)} ${mysqlTypeFor(field)}`);
    case 'truncate':
      return [`truncate table ${table}`];
    case 'drop':
      if (!existing && !operation.ifExists)
        throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      return [`drop table if exists ${table}`];
  }
}

async function writeBatch(context: RunContext, client: MysqlClient, request: WriteRequest): Promise<number> {
  const [schema] = await describeMysqlTables(context, client, request.schemaId);
  if (!schema) throw new ConnectorError(`Table ${request.schemaId} does not exist`, { code: 'object_missing' });
  const encode = (column: string, value: unknown) => encodeMysqlValue(schema.kinds.get(column), value);
  const key = request.primaryKey ?? schema.fields.filter((field) => field.is_primary_key).map((field) => field.id);
  if (request.mode !== 'insert' && key.length === 0) {
    throw new ConnectorError(`${request.mode} into ${request.schemaId} needs a primary key`, {
      code: 'invalid_configuration',
      field: 'primaryKey',
    });
  }
  const columns = columnsOf(request.records);
  const connection = await client.promise.getConnection();
  try {
    await connection.beginTransaction();
    if (request.mode === 'delete') {
      for (const record of request.records) {
        const statement = buildDelete(mysqlDialect, request.schemaId, key, record, encode);
        await connection.query(statement.text, statement.values);
      }
    } else {
      for (const chunk of chunkRows(request.records, columns.length)) {
        const statement = buildInsert(
          mysqlDialect,
          request.schemaId,
          columns,
          chunk,
          encode,
          request.mode === 'upsert' ? key : undefined,
        );
        await connection.query(statement.text, statement.values);
      }
    }
    await connection.commit();
    return request.records.length;
  } catch (error: unknown) {
    await connection.rollback().catch(() => {});
    throw classifyMysqlError(error, `writing ${request.schemaId}`);
  } finally {
    connection.release();
  }
}

export function createMysqlDestination(client: MysqlClient, source: BulkSource): BulkDestination {
  return {
    describeSchema: source.describeSchema,
    read: source.read,
    async apply(context, operation) {
      const [schema] = await describeMysqlTables(context, client, operation.schemaId);
      const existing = schema ? new Set(schema.fields.map((field) => field.id)) : undefined;
      if (operation.kind === 'create_table' && !existing)
        await ensureMysqlDatabase(context, client, operation.schemaId);
      for (const text of operationSql(operation, existing)) await client.query(context, text);
    },
    async write(context, request) {
      return { written: await writeBatch(context, client, request) };
    },
  };
}
