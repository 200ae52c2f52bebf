// MySQL/MariaDB → a destination that loads COPY text (PostgreSQL), the mysql connector's directCopy facet: one
// streamed query of the table in the order field's order, printed as COPY text from the row packets
// (mysql-copy-text-read.ts) and loaded in chunks of `chunkSize` rows, each one destination transaction reported with
// its last order value, as the record path reports a batch. Tables with a column it cannot print exactly as the
// record path would write it (`accepts`) are left to the record path. A table read from its start that holds more
// than `splitAboveRows` rows is cut into `parallelism` ranges of the order field (mysql-copy-ranges.ts), each one
// streamed query on its own pooled connection into its own chunks and checkpointed on its own (copy-ranges.ts).
// The ranges are not one snapshot: each range's query is one consistent read, started at about the same moment as
// the others' (docs/bulk-engine.md says what that means for a table being written).
import type { RunContext } from '../../domain/run-context.ts';
import type { CopyTextDestination, DirectCopy, DirectCopyChunk, DirectCopyRequest } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { type CopyRange, copyRanges, largestCommitted, rangesToCopy } from '../copy-ranges.ts';
import { escapeCopyText } from '../copy-text-escape.ts';
import type { MysqlClient } from './mysql-client.ts';
import { planMysqlCopyRanges } from './mysql-copy-ranges.ts';
import { printableInto } from './mysql-copy-text-lines.ts';
import { readCopyText } from './mysql-copy-text-read.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { describeMysqlTables } from './mysql-introspector.ts';
import type { MysqlSnapshots } from './mysql-snapshot.ts';
import { poolLease, type QueryLease, selectTable } from './mysql-source.ts';
import { encodeMysqlValue, type MysqlValueKind } from './mysql-types.ts';

export function createMysqlDirectCopy(
  client: MysqlClient,
  snapshots: MysqlSnapshots,
  destination: CopyTextDestination,
): DirectCopy {
  return {
    async accepts(context, request) {
      const [[schema], types] = await Promise.all([
        describeMysqlTables(context, client, request.sourceSchemaId),
        destination.columnTypes(context, request.destinationSchemaId),
      ]);
      if (!schema || !types) return false;
      return request.fields.every((field) =>
        printableInto(schema.kinds.get(field.sourceId), types.get(field.destinationId)),
      );
    },
    async copy(context, request, onCommitted) {
      const ranges = await copyMysqlChunks(context, client, snapshots, destination, request, onCommitted);
      return ranges === undefined ? { format: 'text' } : { format: 'text', ranges };
    },
  };
}

async function copyMysqlChunks(
  context: RunContext,
  client: MysqlClient,
  snapshots: MysqlSnapshots,
  destination: CopyTextDestination,
  request: DirectCopyRequest,
  onCommitted: (chunk: DirectCopyChunk) => Promise<void>,
): Promise<number | undefined> {
  const [schema] = await describeMysqlTables(context, client, request.sourceSchemaId);
  if (!schema) throw new ConnectorError(`Table ${request.sourceSchemaId} does not exist`, { code: 'object_missing' });
  const sourceFields = request.fields.map((field) => field.sourceId);
  const kinds = sourceFields.map((id) => schema.kinds.get(id) ?? ('other' as MysqlValueKind));
  const columns = request.fields.map((field) => field.destinationId);
  if (request.snapshot) columns.push(request.snapshot.field);
  const order = request.cursor;
  const orderColumn = order ? sourceFields.indexOf(order.field) : -1;
  const load = {
    schemaId: request.destinationSchemaId,
    columns,
    merge: request.writeMode === 'upsert' && !request.destinationFresh,
    primaryKey: request.destinationPrimaryKey,
  };
  /** One streamed query into chunked loads, each reported once committed with its last order value. */
  const copyQuery = async (
    runContext: RunContext,
    lease: QueryLease,
    query: { text: string; values: unknown[] },
    cursor: unknown,
    committed: (rows: number, cursor: unknown) => Promise<void>,
  ) => {
    const read = readCopyText(runContext, lease.connection, query, {
      kinds,
      orderColumn: orderColumn >= 0 ? orderColumn : undefined,
      suffix: request.snapshot ? `\t${escapeCopyText(request.snapshot.value)}` : '',
      chunkSize: request.chunkSize,
      cursor,
    });
    try {
      for (let chunk = await read.nextChunk(); chunk; chunk = await read.nextChunk()) {
        const rows = await destination.load(runContext, load, chunk.lines);
        await committed(rows, chunk.summary().cursor);
        runContext.heartbeat();
      }
    } finally {
      read.close();
      // Stopped early (an error, a cancel): the rest of the result is not read, so the connection goes.
      lease.done(read.finished);
    }
  };

  const { sourceSnapshot } = request;
  // A change-capture snapshot is one transaction on one connection, where the log starts: its copy stays one stream.
  const ranges =
    order && sourceSnapshot === undefined
      ? await rangesToCopy(order.after, () =>
          planMysqlCopyRanges(
            context,
            client,
            { schemaId: request.sourceSchemaId, column: order.field, kind: schema.kinds.get(order.field) },
            request.parallelism ?? 1,
            request.splitAboveRows ?? Number.POSITIVE_INFINITY,
          ),
        )
      : undefined;
  if (order && ranges) {
    // Resuming a range re-reads its last value when the order field is not unique (a tracking field's ties may
    // straddle two chunks of one stream); the merge absorbs the rows read again.
    const keys = schema.fields.filter((field) => field.is_primary_key).map((field) => field.id);
    const unique = keys.length === 1 && keys[0] === order.field;
    await copyRanges(
      context,
      ranges,
      async (rangeContext, range, committed) => {
        const query = rangeQuery(request.sourceSchemaId, sourceFields, order.field, schema.kinds, range, unique);
        await copyQuery(rangeContext, await poolLease(rangeContext, client)(), query, range.after, committed);
      },
      onCommitted,
    );
    // Rows whose order field is null belong to no range: they come after, then the plain cursor a next run
    // continues from (the largest value committed).
    const largest = largestCommitted(ranges);
    if (schema.fields.find((field) => field.id === order.field)?.nullable) {
      const nulls = selectTable({ schemaId: request.sourceSchemaId, fields: sourceFields }, schema.kinds);
      nulls.text += ` where ${mysqlDialect.quoteIdentifier(order.field)} is null`;
      await copyQuery(context, await poolLease(context, client)(), nulls, largest, (rows) =>
        onCommitted({ rows, cursor: largest }),
      );
    }
    await onCommitted({ rows: 0, cursor: largest });
    return ranges.length;
  }
  const query = selectTable({ schemaId: request.sourceSchemaId, fields: sourceFields, cursor: order }, schema.kinds);
  const lease = await (sourceSnapshot ? snapshots.lease(context, sourceSnapshot) : poolLease(context, client)());
  await copyQuery(context, lease, query, order?.after, (rows, cursor) =>
    onCommitted({ rows, cursor: order ? cursor : undefined }),
  );
  return undefined;
}

/** One range's rows in the order field's order: past its last committed value (or its lower end), to its upper end. */
function rangeQuery(
  schemaId: string,
  fields: string[],
  orderField: string,
  kinds: Map<string, MysqlValueKind>,
  range: CopyRange,
  unique: boolean,
): { text: string; values: unknown[] } {
  const column = mysqlDialect.quoteIdentifier(orderField);
  const kind = kinds.get(orderField);
  const { text } = selectTable({ schemaId, fields }, kinds);
  const conditions: string[] = [];
  const values: unknown[] = [];
  const resumed = range.after !== null && range.after !== undefined;
  const lower = resumed ? range.after : range.lower;
  if (lower === null || lower === undefined) conditions.push(`${column} is not null`);
  else {
    conditions.push(`${column} ${resumed && !unique ? '>=' : '>'} ?`);
    values.push(encodeMysqlValue(kind, lower));
  }
  if (range.upper !== null && range.upper !== undefined) {
    conditions.push(`${column} <= ?`);
    values.push(encodeMysqlValue(kind, range.upper));
  }
  return { text: `${text} where ${conditions.join(' and ')} order by ${column}`, values };
}
