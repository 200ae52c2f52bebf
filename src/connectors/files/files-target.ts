// Model-sync target: each file is an object; the only mode is `create` (insert, an append). Files
// have no keys to find a record by, so update, upsert and delete are refused as a whole (a systemic
// `unsupported` error) rather than record by record. A record with a value its field cannot hold is
// rejected alone; the others are appended in one atomic batch.
import type { ModelTarget, RecordRejection, Row } from '../connector.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import { kindOfFieldSpec, utilTypeOf } from './file-kinds.ts';
import { normalizeRecord } from './files-destination.ts';
import type { FilesTableStore } from './files-table-store.ts';

const filesTargetModes = ['create'];

export function createFilesTarget(store: FilesTableStore): ModelTarget {
  return {
    async listObjects() {
      return (await store.list()).map((id) => ({ id, name: id, modes: filesTargetModes }));
    },
    async describeObject(context, objectId) {
      const table = await store.require(objectId, context.signal);
      return table.columns.map((column) => ({
        id: column.id,
        name: column.id,
        type: utilTypeOf(column.kind),
        source_type: column.kind,
        required: false,
        createable: true,
        updateable: false,
        supports_identity: false,
      }));
    },
    async createField(context, objectId, field) {
      await store.addColumns(
        objectId,
        [{ id: field.id, kind: kindOfFieldSpec(field), nullable: true }],
        context.signal,
      );
    },
    async write(context, request) {
      throwIfAborted(context.signal);
      if (request.operation !== 'insert') {
        throw new ConnectorError(`The files target only inserts (appends); ${request.operation} is not supported`, {
          code: 'unsupported',
        });
      }
      const table = await store.require(request.objectId, context.signal);
      const known = new Set(table.columns.map((column) => column.id));
      const unknown = request.records.flatMap((record) => Object.keys(record)).find((id) => !known.has(id));
      if (unknown !== undefined) {
        throw new ConnectorError(`Field ${unknown} does not exist in ${request.objectId}; create it first`, {
          code: 'invalid_data',
        });
      }
      const rows: Row[] = [];
      const rejected: RecordRejection[] = [];
      request.records.forEach((record, index) => {
        try {
          rows.push(normalizeRecord(table, record));
        } catch (error: unknown) {
          if (!(error instanceof ConnectorError)) throw error;
          rejected.push({ index, record, code: error.code, message: error.message });
        }
      });
      if (rows.length > 0) await store.insert(request.objectId, rows, context.signal);
      return { inserted: rows.length, updated: 0, deleted: 0, rejected };
    },
  };
}
