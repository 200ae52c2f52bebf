// Bulk source over the table store. Rows stream in file order with memory bounded by one chunk.
// Incremental reads must come in ascending cursor order, and files have no index: a first pass
// scans the whole file to learn whether the matching rows are already in order (the common case:
// append-only files); if they are, a second pass streams them; if not, the matching rows are
// sorted in memory, up to `unorderedCursorRowLimit` rows.
import type { BulkSource, ReadRequest } from '../connector.ts';
import { canceledError, ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { RecordBatch, Row, SchemaDescription } from '../records.ts';
import { compareCursorValues } from './cursor-order.ts';
import { utilTypeOf } from './file-kinds.ts';
import { classifyFileError } from './files-errors.ts';
import type { FileTable, FilesTableStore } from './files-table-store.ts';

/** Matching rows an unordered incremental read may sort in memory (about 100-200 MB of rows). */
const unorderedCursorRowLimit = 200_000;

export function describeFileTable(table: FileTable): SchemaDescription {
  const keys = new Set(table.primaryKey);
  return {
    id: table.schemaId,
    name: table.schemaId,
    fields: table.columns.map((column) => ({
      id: column.id,
      name: column.id,
      type: utilTypeOf(column.kind),
      remote_type: column.kind,
      is_primary_key: keys.has(column.id),
      nullable: column.nullable && !keys.has(column.id),
    })),
  };
}

export function createFilesSource(store: FilesTableStore): BulkSource {
  return {
    async listSchemas(context) {
      const schemas: SchemaDescription[] = [];
      for (const schemaId of await store.list()) {
        const table = await store.describe(schemaId, context.signal);
        if (table) schemas.push(describeFileTable(table));
      }
      return schemas;
    },
    async describeSchema(context, schemaId) {
      const table = await store.describe(schemaId, context.signal);
      return table && describeFileTable(table);
    },
    read: (context, request) => readTable(store, context, request),
  };
}

export async function* readTable(
  store: FilesTableStore,
  context: RunContext,
  request: ReadRequest,
): AsyncGenerator<RecordBatch> {
  const { signal } = context;
  throwIfAborted(signal);
  try {
    const table = await store.require(request.schemaId, signal);
    const known = new Set(table.columns.map((column) => column.id));
    const fields = request.fields ?? table.columns.map((column) => column.id);
    const cursor = request.cursor;
    for (const field of cursor ? [...fields, cursor.field] : fields) {
      if (!known.has(field))
        throw new ConnectorError(`Field ${field} does not exist in ${request.schemaId}`, { code: 'invalid_query' });
    }
    const batchSize = Math.max(1, request.batchSize ?? 1000);
    const limit = request.limit ?? Number.POSITIVE_INFINITY;
    const only = cursor ? [...new Set([...fields, cursor.field])] : fields;
    const chunks = () => store.readChunks(table, { signal, chunkRows: batchSize, only });
    const matches = cursor
      ? (row: Row) => {
          if (cursor.after === undefined || cursor.after === null) return true;
          const order = compareCursorValues(row[cursor.field], cursor.after);
          return row[cursor.field] !== null && (order > 0 || (order === 0 && cursor.inclusive === true));
        }
      : () => true;

    let rows: AsyncIterable<Row[]> | Iterable<Row[]> = chunks();
    if (cursor && !(await inCursorOrder(chunks(), cursor.field, matches)))
      rows = await sortedByCursor(chunks(), cursor.field, matches, request.schemaId);

    let emitted = 0;
    let pending: Row[] = [];
    for await (const chunk of rows) {
      if (signal.aborted) throw canceledError(signal);
      for (const row of chunk) {
        if (!matches(row)) continue;
        const projected: Row = {};
        for (const field of fields) projected[field] = row[field];
        pending.push(projected);
        emitted += 1;
        if (pending.length >= batchSize || emitted >= limit) {
          context.heartbeat({ rows: emitted });
          yield pending;
          pending = [];
          if (signal.aborted) throw canceledError(signal);
        }
        if (emitted >= limit) return;
      }
    }
    if (pending.length > 0) yield pending;
  } catch (error: unknown) {
    throw classifyFileError(error, `reading ${request.schemaId}`);
  }
}

async function inCursorOrder(
  chunks: AsyncIterable<Row[]>,
  field: string,
  matches: (row: Row) => boolean,
): Promise<boolean> {
  let previous: unknown;
  let first = true;
  for await (const chunk of chunks) {
    for (const row of chunk) {
      if (!matches(row)) continue;
      if (!first && compareCursorValues(previous, row[field]) > 0) return false;
      previous = row[field];
      first = false;
    }
  }
  return true;
}

async function sortedByCursor(
  chunks: AsyncIterable<Row[]>,
  field: string,
  matches: (row: Row) => boolean,
  schemaId: string,
): Promise<Row[][]> {
  const rows: Row[] = [];
  for await (const chunk of chunks) {
    for (const row of chunk) {
      if (!matches(row)) continue;
      if (rows.length >= unorderedCursorRowLimit) {
        throw new ConnectorError(
          `${schemaId} is not in ${field} order and more than ${unorderedCursorRowLimit} rows are past the cursor; sort the file by ${field} for incremental reads`,
          { code: 'unsupported' },
        );
      }
      rows.push(row);
    }
  }
  rows.sort((left, right) => compareCursorValues(left[field], right[field]));
  return [rows];
}
