// The model-target facet of the in-memory connector. Rejection rules mirror a SQL table's: a null
// or missing identity is a constraint violation, an update that matches nothing is record_not_found.
import type { ModelTarget, RecordRejection, TargetWriteResult } from '../../src/connectors/connector.ts';
import { ConnectorError, throwIfAborted } from '../../src/connectors/connector-error.ts';
import type { Row } from '../../src/connectors/records.ts';
import { cloneRow, cloneValue, type InMemoryTable } from './in-memory-connector.ts';

function keyOf(row: Row, key: string[]): string {
  return JSON.stringify(key.map((field) => row[field]));
}

export function createInMemoryTarget(
  tables: () => Map<string, InMemoryTable>,
  table: (id: string) => InMemoryTable,
): ModelTarget {
  return {
    async listObjects() {
      return [...tables().keys()].map((id) => ({
        id,
        name: id,
        modes: ['create', 'update', 'updateOrCreate', 'remove'],
      }));
    },
    async describeObject(_context, objectId) {
      return table(objectId).fields.map((field) => ({
        id: field.id,
        name: field.name,
        type: field.type,
        source_type: field.remote_type,
        required: !field.nullable,
        createable: true,
        updateable: !field.is_primary_key,
        supports_identity: true,
      }));
    },
    async createField(context, objectId, field) {
      throwIfAborted(context.signal);
      const found = table(objectId);
      if (found.fields.some((known) => known.id === field.id)) return;
      found.fields.push({
        id: field.id,
        name: field.id,
        type: field.type,
        remote_type: field.type,
        is_primary_key: false,
        nullable: true,
      });
    },
    async write(context, request) {
      throwIfAborted(context.signal);
      const found = table(request.objectId);
      const result: TargetWriteResult = { inserted: 0, updated: 0, deleted: 0, rejected: [] };
      const reject = (index: number, record: Row, code: RecordRejection['code'], message: string) => {
        result.rejected.push({ index, record, code, message });
      };
      const required = found.fields.filter((field) => !field.nullable).map((field) => field.id);
      const known = new Set(found.fields.map((field) => field.id));
      for (const [index, record] of request.records.entries()) {
        const unknown = Object.keys(record).find((field) => !known.has(field));
        if (unknown)
          throw new ConnectorError(`Unknown field ${unknown} on ${request.objectId}`, { code: 'invalid_query' });
        const identity = request.identity;
        const position = found.rows.findIndex(
          (row) => identity.length > 0 && keyOf(row, identity) === keyOf(record, identity),
        );
        if (request.operation === 'delete') {
          if (position < 0) {
            reject(index, record, 'record_not_found', 'no record matches the identity');
            continue;
          }
          found.rows.splice(position, 1);
          result.deleted += 1;
          continue;
        }
        if (position >= 0 && request.operation !== 'insert') {
          found.rows[position] = { ...found.rows[position], ...cloneRow(record) };
          result.updated += 1;
          continue;
        }
        if (request.operation === 'update') {
          reject(index, record, 'record_not_found', 'no record matches the identity');
          continue;
        }
        const missing = required.find((field) => record[field] === null || record[field] === undefined);
        if (missing) {
          reject(index, record, 'constraint_violation', `${missing} must not be null`);
          continue;
        }
        if (position >= 0) {
          reject(index, record, 'constraint_violation', 'a record with this identity exists');
          continue;
        }
        found.rows.push(
          Object.fromEntries(found.fields.map((field) => [field.id, cloneValue(record[field.id] ?? null)])),
        );
        result.inserted += 1;
      }
      return result;
    },
  };
}
