// PostgreSQL → PostgreSQL, the postgresql connector's directCopy facet: COPY (SELECT …) TO STDOUT piped into
// COPY … FROM STDIN, so rows travel as bytes and are never decoded in JS; binary format when every column's type is
// the same on both sides. Unlike postgres-copy.ts (one COPY of a whole table), this copies a *query* in chunks: each
// chunk is the next `chunkSize` rows by the order field, bounded by a value read first (`… <= bound`, so ties of a
// tracking field never straddle two chunks), written in one destination transaction, then reported so the engine
// checkpoints it. Chunks go straight into the table when it holds no row they can conflict with, else through a
// temporary staging table merged by primary key.
import { pipeline } from 'node:stream/promises';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { RunContext } from '../../domain/run-context.ts';
import { canceledError, ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { DirectCopy, DirectCopyChunk, DirectCopyRequest } from '../connector.ts';
import { copyRanges, largestCommitted, rangesToCopy } from '../copy-ranges.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { planCopyRanges } from './postgres-copy-ranges.ts';
import { describePostgresTable } from './postgres-introspector.ts';
import { beginInSnapshot } from './postgres-snapshot.ts';

const quote = postgresDialect.quoteIdentifier;
const stagingTable = 'ferry_bulk_staging';
/** Stream buffers between the two sockets. */
const streamBuffer = 1024 * 1024;

/** A SQL string literal (COPY takes no parameters). Backslashes force the E'' form, as pg's escapeLiteral does. */
function postgresLiteral(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const escaped = text.replaceAll("'", "''");
  return text.includes('\\') ? `E'${escaped.replaceAll('\\', '\\\\')}'` : `'${escaped}'`;
}

interface Chunk {
  /** SQL condition on the order field; undefined: the whole table. */
  where: string | undefined;
  /** The resume point after this chunk commits. */
  cursor: unknown;
}

/** The copy from one PostgreSQL connection's client into another's. */
export function createPostgresDirectCopy(source: PostgresClient, destination: PostgresClient): DirectCopy {
  return {
    copy: (context, request, onCommitted) => copyPostgresChunks(context, source, destination, request, onCommitted),
  };
}

async function copyPostgresChunks(
  context: RunContext,
  source: PostgresClient,
  destination: PostgresClient,
  request: DirectCopyRequest,
  onCommitted: (chunk: DirectCopyChunk) => Promise<void>,
): Promise<{ format: 'binary' | 'text'; ranges?: number }> {
  const [from, to] = await Promise.all([
    describePostgresTable(context, source, request.sourceSchemaId),
    describePostgresTable(context, destination, request.destinationSchemaId),
  ]);
  if (!from || !to)
    throw new ConnectorError(`Table ${from ? request.destinationSchemaId : request.sourceSchemaId} does not exist`, {
      code: 'object_missing',
    });
  const sourceType = new Map(from.fields.map((field) => [field.id, field.remote_type]));
  const destinationType = new Map(to.fields.map((field) => [field.id, field.remote_type]));
  const binary = request.fields.every(
    (field) => sourceType.get(field.sourceId) === destinationType.get(field.destinationId),
  );
  const format =
    binary && (!request.snapshot || destinationType.get(request.snapshot.field) === 'timestamp with time zone')
      ? 'binary'
      : 'text';

  const selectList = request.fields.map((field) => quote(field.sourceId));
  const columnList = request.fields.map((field) => quote(field.destinationId));
  if (request.snapshot) {
    selectList.push(`${postgresLiteral(request.snapshot.value)}::timestamptz`);
    columnList.push(quote(request.snapshot.field));
  }
  const sourceTable = postgresDialect.quoteTable(request.sourceSchemaId);
  const destinationTable = postgresDialect.quoteTable(request.destinationSchemaId);
  const merge = request.writeMode === 'upsert' && !request.destinationFresh;
  const options = format === 'binary' ? '(format binary)' : '';

  const copyChunk = (chunkContext: RunContext, chunk: Chunk) =>
    destination.withClient(chunkContext, async (writer) => {
      await writer.query('begin');
      try {
        if (merge)
          await writer.query(
            `create temporary table ${stagingTable} (like ${destinationTable} including defaults) on commit drop`,
          );
        const rows = await source.withClient(chunkContext, async (reader) => {
          if (request.sourceSnapshot !== undefined) await beginInSnapshot(reader, request.sourceSnapshot);
          const query = `select ${selectList.join(', ')} from ${sourceTable}${chunk.where ? ` where ${chunk.where}` : ''}`;
          const outbound = reader.query(
            copyTo(`copy (${query}) to stdout ${options}`, { highWaterMark: streamBuffer }),
          );
          const inbound = writer.query(
            copyFrom(
              `copy ${merge ? stagingTable : destinationTable} (${columnList.join(', ')}) from stdin ${options}`,
              { highWaterMark: streamBuffer },
            ),
          );
          await pipeline(outbound, inbound, { signal: chunkContext.signal });
          if (request.sourceSnapshot !== undefined) await reader.query('commit');
          return inbound.rowCount;
        });
        if (merge)
          await writer.query(mergeStatement(destinationTable, columnList, request.destinationPrimaryKey.map(quote)));
        await writer.query('commit');
        return rows;
      } catch (error: unknown) {
        await writer.query('rollback').catch(() => {});
        if (chunkContext.signal.aborted) throw canceledError(chunkContext.signal);
        throw classifyPostgresError(error, 'COPY');
      }
    });

  // Chunk bounds come from the same snapshot as the rows, so no row of the snapshot falls outside every chunk.
  const boundQuery = (text: string) =>
    source.withClient(context, async (session) => {
      if (request.sourceSnapshot === undefined) return (await session.query<ChunkBound>(text)).rows[0];
      await beginInSnapshot(session, request.sourceSnapshot);
      const bound = (await session.query<ChunkBound>(text)).rows[0];
      await session.query('commit');
      return bound;
    });
  const order = request.cursor;
  const ranges =
    order &&
    (await rangesToCopy(order.after, () =>
      planCopyRanges(
        context,
        source,
        { schemaId: request.sourceSchemaId, column: order.field, columnType: sourceType.get(order.field) },
        request.parallelism ?? 1,
        request.splitAboveRows ?? Number.POSITIVE_INFINITY,
      ),
    ));
  if (order && ranges) {
    await copyRanges(
      context,
      ranges,
      async (rangeContext, range, committed) => {
        const chunks = planChunks(boundQuery, sourceTable, request.chunkSize, {
          field: order.field,
          after: range.after ?? range.lower,
          inclusive: false,
          upper: range.upper,
          nullsLast: false,
        });
        for await (const chunk of chunks) {
          throwIfAborted(rangeContext.signal);
          await committed(await copyChunk(rangeContext, chunk), chunk.cursor);
        }
      },
      onCommitted,
    );
    // Rows whose order field is null belong to no range: one last chunk, then the plain cursor a next run continues
    // from (the largest value committed).
    const largest = largestCommitted(ranges);
    const rows = await copyChunk(context, { where: `${quote(order.field)} is null`, cursor: largest });
    await onCommitted({ rows, cursor: largest });
    return { format, ranges: ranges.length };
  }
  const chunks = planChunks(
    boundQuery,
    sourceTable,
    request.chunkSize,
    order && { ...order, upper: null, nullsLast: true },
  );
  for await (const chunk of chunks) {
    throwIfAborted(context.signal);
    const rows = await copyChunk(context, chunk);
    await onCommitted({ rows, cursor: chunk.cursor });
  }
  return { format };
}

function mergeStatement(table: string, columns: string[], key: string[]): string {
  const updates = columns.filter((column) => !key.includes(column));
  const action =
    updates.length === 0
      ? 'do nothing'
      : `do update set ${updates.map((column) => `${column} = excluded.${column}`).join(', ')}`;
  return `insert into ${table} (${columns.join(', ')}) select ${columns.join(', ')} from ${stagingTable} on conflict (${key.join(', ')}) ${action}`;
}

/**
 * The chunks of the read, each bounded by a value of the order field read just before it is copied:
 * `select max(o) from (select o … where o > after order by o limit chunkSize)`, an index range scan
 * when `o` is indexed (the primary key always is). `upper` (inclusive) ends a range of a parallel copy. With
 * `nullsLast`, rows whose order field is null come last, in one chunk, on reads that start from the beginning (an
 * incremental read never sees them: null is not past any cursor).
 */
interface ChunkBound {
  bound: unknown;
  count: number;
}

async function* planChunks(
  boundQuery: (text: string) => Promise<ChunkBound | undefined>,
  sourceTable: string,
  chunkSize: number,
  order: (NonNullable<DirectCopyRequest['cursor']> & { upper: unknown; nullsLast: boolean }) | undefined,
): AsyncGenerator<Chunk> {
  if (order === undefined) {
    yield { where: undefined, cursor: undefined };
    return;
  }
  const column = quote(order.field);
  const upper =
    order.upper === undefined || order.upper === null ? '' : ` and ${column} <= ${postgresLiteral(order.upper)}`;
  let after = order.after;
  let inclusive = order.inclusive ?? false;
  while (true) {
    const lower =
      (after === undefined || after === null
        ? `${column} is not null`
        : `${column} ${inclusive ? '>=' : '>'} ${postgresLiteral(after)}`) + upper;
    const { bound, count } = (await boundQuery(
      `select max(${column}) as bound, count(*)::int as count from (select ${column} from ${sourceTable} where ${lower} order by ${column} limit ${Math.floor(chunkSize)}) as chunk`,
    )) ?? { bound: null, count: 0 };
    if (count === 0 || bound === null) break;
    yield { where: `${lower} and ${column} <= ${postgresLiteral(bound)}`, cursor: bound };
    after = bound;
    inclusive = false;
    if (count < chunkSize) break;
  }
  if (order.nullsLast && (order.after === undefined || order.after === null))
    yield { where: `${column} is null`, cursor: after };
}
