// MySQL/MariaDB → a destination that loads COPY text (PostgreSQL), the mysql connector's directCopy facet: one
// streamed query of the table in the order field's order, printed as COPY text from the row packets
// (mysql-copy-text-read.ts) and loaded in chunks of `chunkSize` rows, each one destination transaction reported with
// its last order value, as the record path reports a batch. Tables with a column it cannot print exactly as the
// record path would write it (`accepts`) are left to the record path. Ranges are not split: one read, one stream.
import type { RunContext } from '../../domain/run-context.ts';
import type { CopyTextDestination, DirectCopy, DirectCopyChunk, DirectCopyRequest } from '../connector.ts';
import { ConnectorError } from '../connector-error.ts';
import { escapeCopyText } from '../copy-text-escape.ts';
import { readCopyText } from './mysql-copy-text-read.ts';
import { printableInto } from './mysql-copy-text-lines.ts';
import { describeMysqlTables } from './mysql-introspector.ts';
import type { MysqlClient } from './mysql-client.ts';
import type { MysqlSnapshots } from './mysql-snapshot.ts';
import { poolLease, selectTable } from './mysql-source.ts';
import type { MysqlValueKind } from './mysql-types.ts';

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
      await copyMysqlChunks(context, client, snapshots, destination, request, onCommitted);
      return { format: 'text' };
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
): Promise<void> {
  const [schema] = await describeMysqlTables(context, client, request.sourceSchemaId);
  if (!schema) throw new ConnectorError(`Table ${request.sourceSchemaId} does not exist`, { code: 'object_missing' });
  const sourceFields = request.fields.map((field) => field.sourceId);
  const kinds = sourceFields.map((id) => schema.kinds.get(id) ?? ('other' as MysqlValueKind));
  const columns = request.fields.map((field) => field.destinationId);
  if (request.snapshot) columns.push(request.snapshot.field);
  const order = request.cursor;
  const orderColumn = order ? sourceFields.indexOf(order.field) : -1;
  const query = selectTable({ schemaId: request.sourceSchemaId, fields: sourceFields, cursor: order }, schema.kinds);
  const { sourceSnapshot } = request;
  const lease = await (sourceSnapshot ? snapshots.lease(context, sourceSnapshot) : poolLease(context, client)());
  const read = readCopyText(context, lease.connection, query, {
    kinds,
    orderColumn: orderColumn >= 0 ? orderColumn : undefined,
    suffix: request.snapshot ? `\t${escapeCopyText(request.snapshot.value)}` : '',
    chunkSize: request.chunkSize,
    cursor: order?.after,
  });
  const load = {
    schemaId: request.destinationSchemaId,
    columns,
    merge: request.writeMode === 'upsert' && !request.destinationFresh,
    primaryKey: request.destinationPrimaryKey,
  };
  try {
    for (let chunk = await read.nextChunk(); chunk; chunk = await read.nextChunk()) {
      const rows = await destination.load(context, load, chunk.lines);
      await onCommitted({ rows, cursor: order ? chunk.summary().cursor : undefined });
      context.heartbeat();
    }
  } finally {
    read.close();
    // Stopped early (an error, a cancel): the rest of the result is not read, so the connection goes.
    lease.done(read.finished);
  }
}
