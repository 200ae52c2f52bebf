// Streaming reads through pg-cursor (a server-side portal fetched `batchSize` rows at a time), so
// memory holds one batch whatever the table size. An abort during a fetch cancels the statement
// and destroys the client; an abort between fetches closes the cursor and returns the client.
import Cursor from 'pg-cursor';
import type { RunContext } from '../../domain/run-context.ts';
import type { BulkSource, ModelSource, ReadRequest } from '../connector.ts';
import { ConnectorError, canceledError, throwIfAborted } from '../connector-error.ts';
import type { FieldDescription, RecordBatch } from '../records.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { asSubquery } from '../sql/sql-statements.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { beginInSnapshot } from './postgres-snapshot.ts';
import { describePostgresTable, listPostgresSchemas } from './postgres-introspector.ts';
import { encodePostgresValue, fieldTypeOf, postgresTypeParsers } from './postgres-types.ts';

const defaultBatchSize = 1000;
/** Rows a model read fetches per round trip (yielded in batches of batchSize): fewer round trips for the same rows. */
const modelFetchSize = 5000;

/**
 * The model query, narrowed to `fields` when given: the driver parses only the columns the sync reads. A plain
 * projection over the subquery keeps its rows in the subquery's order.
 */
function modelReadText(query: string, fields: string[] | undefined): string {
  if (!fields) return asSubquery(query);
  const columns = fields.map((field) => postgresDialect.quoteIdentifier(field)).join(', ');
  return `select ${columns} from (${asSubquery(query)}) as ferry_model`;
}

async function* streamPostgresQuery(
  context: RunContext,
  client: PostgresClient,
  text: string,
  values: unknown[],
  options: { batchSize?: number; limit?: number; fetchSize?: number; sourceSnapshot?: string },
): AsyncIterable<RecordBatch> {
  throwIfAborted(context.signal);
  const connection = await client.pool.connect().catch((error: unknown) => {
    throw classifyPostgresError(error);
  });
  if (options.sourceSnapshot !== undefined) {
    await beginInSnapshot(connection, options.sourceSnapshot).catch((error: unknown) => {
      connection.release();
      throw error;
    });
  }
  const cursor = connection.query(new Cursor(text, values, { types: postgresTypeParsers }));
  let destroy: Error | undefined;
  const size = options.batchSize ?? defaultBatchSize;
  const fetchSize = Math.max(size, options.fetchSize ?? size);
  let remaining = options.limit ?? Number.POSITIVE_INFINITY;
  try {
    while (remaining > 0) {
      const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
        const onAbort = () => reject(canceledError(context.signal));
        context.signal.addEventListener('abort', onAbort, { once: true });
        cursor
          .read(Math.min(fetchSize, remaining))
          .then(resolve, reject)
          .finally(() => context.signal.removeEventListener('abort', onAbort));
      }).catch((error: unknown) => {
        destroy = error instanceof Error ? error : new Error(String(error));
        throw error;
      });
      if (rows.length === 0) return;
      remaining -= rows.length;
      for (let start = 0; start < rows.length; start += size) {
        yield rows.length <= size ? rows : rows.slice(start, start + size);
        throwIfAborted(context.signal);
      }
      context.heartbeat();
    }
  } catch (error: unknown) {
    throw context.signal.aborted ? canceledError(context.signal) : classifyPostgresError(error);
  } finally {
    if (destroy) {
      connection.release(destroy);
    } else {
      await cursor.close().catch((error: unknown) => (destroy = error as Error));
      if (!destroy && options.sourceSnapshot !== undefined)
        await connection.query('commit').catch((error: unknown) => (destroy = error as Error));
      connection.release(destroy);
    }
  }
}

function selectTable(request: ReadRequest, typeNames: Map<string, string>): { text: string; values: unknown[] } {
  const quote = postgresDialect.quoteIdentifier;
  const columns = request.fields ?? [...typeNames.keys()];
  let text = `select ${columns.map(quote).join(', ')} from ${postgresDialect.quoteTable(request.schemaId)}`;
  const values: unknown[] = [];
  const cursor = request.cursor;
  if (cursor) {
    if (cursor.after !== undefined && cursor.after !== null) {
      values.push(encodePostgresValue(typeNames.get(cursor.field), cursor.after));
      text += ` where ${quote(cursor.field)} ${cursor.inclusive ? '>=' : '>'} $1`;
    }
    text += ` order by ${quote(cursor.field)}`;
  }
  return { text, values };
}

async function describeQuery(context: RunContext, client: PostgresClient, query: string): Promise<FieldDescription[]> {
  const result = await client.query(context, `select * from (${asSubquery(query)}) as ferry_model limit 0`);
  const oids = [...new Set(result.fields.map((field) => field.dataTypeID))];
  const types = await client.query<{ oid: number; typname: string; typcategory: string }>(
    context,
    'select oid::int as oid, typname, typcategory from pg_type where oid = any($1::oid[])',
    [oids],
  );
  const byOid = new Map(types.rows.map((row) => [row.oid, row]));
  return result.fields.map((field) => {
    const type = byOid.get(field.dataTypeID);
    return {
      id: field.name,
      name: field.name,
      type: type ? fieldTypeOf(type.typname, type.typcategory) : 'unknown',
      remote_type: type?.typname ?? String(field.dataTypeID),
      is_primary_key: false,
      nullable: true,
    };
  });
}

export function createPostgresSource(client: PostgresClient): BulkSource & ModelSource {
  return {
    listSchemas: (context) => listPostgresSchemas(context, client),
    async describeSchema(context, schemaId) {
      const described = await describePostgresTable(context, client, schemaId);
      if (!described) return undefined;
      const { typeNames: _typeNames, ...schema } = described;
      return schema;
    },
    async *read(context, request) {
      const described = await describePostgresTable(context, client, request.schemaId);
      if (!described) throw new ConnectorError(`Table ${request.schemaId} does not exist`, { code: 'object_missing' });
      const { text, values } = selectTable(request, described.typeNames);
      yield* streamPostgresQuery(context, client, text, values, request);
    },
    describeQuery: (context, query) => describeQuery(context, client, query),
    readQuery: (context, query, options = {}) =>
      streamPostgresQuery(context, client, modelReadText(query, options.fields), [], {
        ...options,
        fetchSize: modelFetchSize,
      }),
  };
}
