// Bulk destination over the table store. Insert appends; upsert and delete rewrite the table in one
// streaming pass, dropping the rows whose primary key is in the batch (upsert then appends the
// batch, so updated rows move to the end). Memory: one batch of keys plus one chunk of rows. An upsert
// whose keys the table does not hold (the format can tell cheaply: Parquet) appends instead.
import type { BulkDestination, TableOperation, WriteRequest } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { Row } from '../records.ts';
import { type FileKind, kindOfFieldSpec, normalizeValue } from './file-kinds.ts';
import type { FileColumn } from './file-format.ts';
import { describeFileTable, readTable } from './files-source.ts';
import type { FileTable, FilesTableStore } from './files-table-store.ts';

const kindsByTable = new WeakMap<FileTable, Map<string, FileKind>>();

/** A record in the table's kinds; unknown fields are refused (add them with add_fields first). */
export function normalizeRecord(table: FileTable, record: Row): Row {
  // Built once per described table, not per record: a batch normalises thousands of records against one table.
  let kinds = kindsByTable.get(table);
  if (!kinds) {
    kinds = new Map(table.columns.map((column) => [column.id, column.kind]));
    kindsByTable.set(table, kinds);
  }
  const row: Row = {};
  for (const [id, value] of Object.entries(record)) {
    const kind = kinds.get(id);
    if (!kind) throw new ConnectorError(`Field ${id} does not exist in ${table.schemaId}`, { code: 'invalid_data' });
    row[id] = normalizeValue(kind, value);
  }
  return row;
}

function keyOf(row: Row, primaryKey: string[]): string {
  return JSON.stringify(
    primaryKey.map((field) => {
      const value = row[field];
      return Buffer.isBuffer(value) ? value.toString('base64') : (value ?? null);
    }),
  );
}

export function createFilesDestination(store: FilesTableStore, preferredBatchRows?: number): BulkDestination {
  const columnsOf = (fields: Extract<TableOperation, { kind: 'create_table' }>['fields']): FileColumn[] =>
    fields.map((field) => ({ id: field.id, kind: kindOfFieldSpec(field), nullable: true }));

  return {
    ...(preferredBatchRows === undefined ? {} : { preferredBatchRows }),
    async describeSchema(context, schemaId) {
      const table = await store.describe(schemaId, context.signal);
      return table && describeFileTable(table);
    },

    async apply(context, operation) {
      throwIfAborted(context.signal);
      switch (operation.kind) {
        case 'create_table':
          return store.create(
            operation.schemaId,
            columnsOf(operation.fields),
            operation.primaryKey,
            operation.ifNotExists === true,
            context.signal,
          );
        case 'add_fields':
          return store.addColumns(operation.schemaId, columnsOf(operation.fields), context.signal);
        case 'truncate':
          return store.rewrite(operation.schemaId, () => false, [], context.signal);
        case 'drop':
          return store.drop(operation.schemaId, operation.ifExists === true);
      }
    },

    async write(context, request: WriteRequest) {
      throwIfAborted(context.signal);
      const table = await store.require(request.schemaId, context.signal);
      const rows = request.records.map((record) => normalizeRecord(table, record));
      if (request.mode === 'insert') {
        if (rows.length > 0) await store.insert(request.schemaId, rows, context.signal);
        return { written: rows.length };
      }
      const primaryKey = request.primaryKey ?? [];
      if (primaryKey.length === 0) {
        throw new ConnectorError(`${request.mode} into ${request.schemaId} needs a primary key`, {
          code: 'invalid_configuration',
        });
      }
      // The last record of a key wins within a batch, as with repeated upserts.
      const byKey = new Map(rows.map((row) => [keyOf(row, primaryKey), row]));
      // An upsert of keys the table does not hold yet (a first copy, new rows) is an insert: no rewrite.
      if (
        request.mode === 'upsert' &&
        primaryKey.length === 1 &&
        (await store.insertIfAbsent(request.schemaId, primaryKey[0]!, [...byKey.values()], context.signal))
      ) {
        return { written: rows.length };
      }
      const replaced = (row: Row) => !byKey.has(keyOf(row, primaryKey));
      await store.rewrite(
        request.schemaId,
        replaced,
        request.mode === 'upsert' ? [...byKey.values()] : [],
        context.signal,
      );
      return { written: rows.length };
    },

    read: (context, request) => readTable(store, context, request),
  };
}
