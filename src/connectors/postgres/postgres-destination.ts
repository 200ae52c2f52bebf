// Bulk writes: one transaction per batch with multi-row INSERT … ON CONFLICT, chunked under the
// 65535-parameter limit of the wire protocol. Large initial loads between two PostgreSQL
// connections should use postgres-copy.ts instead (COPY is several times faster).
import type { RunContext } from '../../domain/run-context.ts';
import type { BulkDestination, TableOperation, WriteRequest } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import type { BulkSource } from '../connector.ts';
import { buildDelete, buildInsert, chunkRows, columnsOf } from '../sql/sql-statements.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { describePostgresTable } from './postgres-introspector.ts';
import { ensurePostgresSchema } from './postgres-schema-creation.ts';
import { encodePostgresValue, postgresTypeFor } from './postgres-types.ts';

const quote = postgresDialect.quoteIdentifier;

function operationSql(operation: TableOperation, exists: boolean): string[] {
  const table = postgresDialect.quoteTable(operation.schemaId);
  switch (operation.kind) {
    case 'create_table': {
      const columns = operation.fields.map((field) => `${quote(field.id)} ${postgresTypeFor(field)}`);
      if (operation.primaryKey.length > 0) columns.push(`primary key (${operation.primaryKey.map(quote).join(', ')})`);
      return [`create table ${operation.ifNotExists ? 'if not exists ' : ''}${table} (${columns.join(', ')})`];
    }
    case 'add_fields':
      return operation.fields.map(
        (field) => `alter table ${table} add column if not exists ${quote(field.id)} ${postgresTypeFor(field)}`,
      );
    case 'truncate':
      return [`truncate table ${table}`];
    case 'drop':
      if (!exists && !operation.ifExists)
        throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      return [`drop table if exists ${table}`];
  }
}

async function writeBatch(context: RunContext, client: PostgresClient, request: WriteRequest): Promise<number> {
  const described = await describePostgresTable(context, client, request.schemaId);
  if (!described) throw new ConnectorError(`Table ${request.schemaId} does not exist`, { code: 'object_missing' });
  const encode = (column: string, value: unknown) => encodePostgresValue(described.typeNames.get(column), value);
  const key = request.primaryKey ?? described.fields.filter((field) => field.is_primary_key).map((field) => field.id);
  if (request.mode !== 'insert' && key.length === 0) {
    throw new ConnectorError(`${request.mode} into ${request.schemaId} needs a primary key`, {
      code: 'invalid_configuration',
      field: 'primaryKey',
    });
  }
  const columns = columnsOf(request.records);
  await client.withClient(context, async (connection) => {
    await connection.query('begin');
    try {
      if (request.mode === 'delete') {
        for (const record of request.records) {
          const statement = buildDelete(postgresDialect, request.schemaId, key, record, encode);
          await connection.query(statement.text, statement.values);
        }
      } else {
        for (const chunk of chunkRows(request.records, columns.length)) {
          const upsertKey = request.mode === 'upsert' ? key : undefined;
          const statement = buildInsert(postgresDialect, request.schemaId, columns, chunk, encode, upsertKey);
          await connection.query(statement.text, statement.values);
        }
      }
      await connection.query('commit');
    } catch (error: unknown) {
      await connection.query('rollback').catch(() => {});
      throw error;
    }
  });
  return request.records.length;
}

export function createPostgresDestination(client: PostgresClient, source: BulkSource): BulkDestination {
  return {
    describeSchema: source.describeSchema,
    read: source.read,
    async apply(context, operation) {
      const exists = (await describePostgresTable(context, client, operation.schemaId)) !== undefined;
      if (operation.kind === 'add_fields' && !exists) {
        throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      }
      if (operation.kind === 'create_table' && !exists) await ensurePostgresSchema(context, client, operation.schemaId);
      for (const text of operationSql(operation, exists)) await client.query(context, text);
    },
    async write(context, request) {
      return { written: await writeBatch(context, client, request) };
    },
  };
}
