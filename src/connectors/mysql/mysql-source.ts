// Streaming reads: mysql2's row stream (the protocol streams rows; the stream pauses the socket
// when a batch is not consumed), so memory holds one batch. Stopping before the end (abort or
// limit) destroys the connection, since the rest of the result would otherwise have to be read.
import type { RunContext } from '../../domain/run-context.ts';
import type { BulkSource, ModelSource, ReadRequest } from '../connector.ts';
import { ConnectorError, canceledError, throwIfAborted } from '../connector-error.ts';
import type { FieldDescription, RecordBatch, Row } from '../records.ts';
import { waitForRows } from '../readable-rows.ts';
import { asSubquery } from '../sql/sql-statements.ts';
import type { Connection } from 'mysql2';
import type { MysqlClient } from './mysql-client.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { classifyMysqlError } from './mysql-errors.ts';
import { describeMysqlTables, withoutKinds } from './mysql-introspector.ts';
import type { MysqlSnapshots } from './mysql-snapshot.ts';
import {
  decodeMysqlValue,
  encodeMysqlValue,
  fieldTypeOfKind,
  type MysqlValueKind,
  needsDecoding,
} from './mysql-types.ts';

/** A connection to run one streamed query on; `done(false)` when its result was not read to the end. */
export type QueryLease = { connection: Connection; done(finished: boolean): void };

export function poolLease(context: RunContext, client: MysqlClient) {
  return async (): Promise<QueryLease> => {
    const connection = await client.connection(context);
    return { connection, done: (finished) => (finished ? connection.release() : connection.destroy()) };
  };
}

async function* streamMysqlQuery(
  context: RunContext,
  acquire: () => Promise<QueryLease>,
  text: string,
  values: unknown[],
  kinds: Map<string, MysqlValueKind>,
  options: { batchSize?: number; limit?: number },
): AsyncIterable<RecordBatch> {
  const { connection, done } = await acquire();
  const stream = connection.query(text, values).stream({ highWaterMark: options.batchSize ?? 1000 });
  const moreRows = waitForRows(stream);
  const onAbort = () => stream.destroy(canceledError(context.signal));
  context.signal.addEventListener('abort', onAbort, { once: true });
  const size = options.batchSize ?? 1000;
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  let finished = false;
  try {
    let batch: Row[] = [];
    let decoded: { key: string; kind: MysqlValueKind }[] | undefined;
    while (true) {
      let row = stream.read() as Row | null;
      for (; row !== null; row = stream.read() as Row | null) {
        // mysql2's row is this read's own, so its values are decoded in place rather than copied into another object.
        decoded ??= Object.keys(row)
          .map((key) => ({ key, kind: kinds.get(key) ?? 'other' }))
          .filter((column) => needsDecoding(column.kind));
        for (let index = 0; index < decoded.length; index += 1) {
          const { key, kind } = decoded[index]!;
          row[key] = decodeMysqlValue(kind, row[key]);
        }
        batch.push(row);
        remaining -= 1;
        if (batch.length >= size || remaining <= 0) {
          yield batch;
          batch = [];
          throwIfAborted(context.signal);
          context.heartbeat();
          if (remaining <= 0) return;
        }
      }
      if (!(await moreRows())) break;
    }
    if (batch.length > 0) yield batch;
    finished = true;
  } catch (error: unknown) {
    throw context.signal.aborted ? canceledError(context.signal) : classifyMysqlError(error);
  } finally {
    context.signal.removeEventListener('abort', onAbort);
    // Stopped early (limit, error, the consumer gone): the rest of the result is not read.
    if (!finished) stream.destroy();
    done(finished);
  }
}

// mysql2 column type codes (protocol ColumnType) → value kind, for model queries.
const kindsByColumnType: Readonly<Record<number, MysqlValueKind>> = {
  1: 'integer',
  2: 'integer',
  3: 'integer',
  9: 'integer',
  8: 'bigint',
  0: 'decimal',
  246: 'decimal',
  4: 'float',
  5: 'float',
  7: 'timestamptz',
  12: 'timestamp',
  10: 'date',
  245: 'json',
  15: 'text',
  253: 'text',
  254: 'text',
  252: 'text',
  249: 'text',
  250: 'text',
  251: 'text',
};
const binaryCharset = 63;

async function describeQuery(context: RunContext, client: MysqlClient, query: string): Promise<FieldDescription[]> {
  throwIfAborted(context.signal);
  try {
    const [, fields] = await client.promise.query(`select * from (${asSubquery(query)}) as ferry_model limit 0`);
    return fields.map((field) => {
      let kind: MysqlValueKind = kindsByColumnType[field.columnType ?? -1] ?? 'other';
      if (field.columnType === 1 && field.columnLength === 1) kind = 'boolean';
      if (kind === 'text' && field.characterSet === binaryCharset) kind = 'binary';
      return {
        id: field.name,
        name: field.name,
        type: fieldTypeOfKind(kind),
        remote_type: kind,
        is_primary_key: false,
        nullable: true,
      };
    });
  } catch (error: unknown) {
    throw classifyMysqlError(error, 'The query is not valid');
  }
}

export function selectTable(
  request: ReadRequest,
  kinds: Map<string, MysqlValueKind>,
): { text: string; values: unknown[] } {
  const quote = mysqlDialect.quoteIdentifier;
  const columns = request.fields ?? [...kinds.keys()];
  let text = `select ${columns.map(quote).join(', ')} from ${mysqlDialect.quoteTable(request.schemaId)}`;
  const values: unknown[] = [];
  const cursor = request.cursor;
  if (cursor) {
    if (cursor.after !== undefined && cursor.after !== null) {
      text += ` where ${quote(cursor.field)} ${cursor.inclusive ? '>=' : '>'} ?`;
      values.push(encodeMysqlValue(kinds.get(cursor.field), cursor.after));
    }
    text += ` order by ${quote(cursor.field)}`;
  }
  if (request.limit !== undefined) text += ` limit ${Math.max(0, Math.floor(request.limit))}`;
  return { text, values };
}

export function createMysqlSource(client: MysqlClient, snapshots: MysqlSnapshots): BulkSource & ModelSource {
  return {
    listSchemas: async (context) => (await describeMysqlTables(context, client)).map(withoutKinds),
    async describeSchema(context, schemaId) {
      const [schema] = await describeMysqlTables(context, client, schemaId);
      return schema ? withoutKinds(schema) : undefined;
    },
    async *read(context, request) {
      const [schema] = await describeMysqlTables(context, client, request.schemaId);
      if (!schema) throw new ConnectorError(`Table ${request.schemaId} does not exist`, { code: 'object_missing' });
      const { text, values } = selectTable(request, schema.kinds);
      // Inside a change-capture snapshot the read waits its turn on the snapshot's connection.
      const { sourceSnapshot } = request;
      const acquire = sourceSnapshot ? () => snapshots.lease(context, sourceSnapshot) : poolLease(context, client);
      yield* streamMysqlQuery(context, acquire, text, values, schema.kinds, request);
    },
    describeQuery: (context, query) => describeQuery(context, client, query),
    async *readQuery(context, query, options = {}) {
      const fields = await describeQuery(context, client, query);
      const kinds = new Map(fields.map((field) => [field.id, field.remote_type as MysqlValueKind]));
      yield* streamMysqlQuery(context, poolLease(context, client), asSubquery(query), [], kinds, options);
    },
  };
}
