// A connector kept in memory that implements the whole contract, for engine tests. Tables live in
// an InMemoryStore the test owns (no globals), keyed by database then schema id. Values are
// stored as given (structuredClone), so it follows whatever value conventions the caller uses.
import type {
  Connection,
  Connector,
  ReadRequest,
  TableOperation,
  WriteRequest,
} from '../../src/connectors/connector.ts';
import { Capability } from '../../src/connectors/connector.ts';
import { validateConfiguration, type ConfigurationSchema } from '../../src/connectors/configuration-schema.ts';
import { ConnectorError, throwIfAborted } from '../../src/connectors/connector-error.ts';
import type { FieldDescription, RecordBatch, Row, SchemaDescription } from '../../src/connectors/records.ts';
import type { RunContext } from '../../src/domain/run-context.ts';
import { createInMemoryTarget } from './in-memory-target.ts';

export interface InMemoryTable {
  fields: FieldDescription[];
  rows: Row[];
}
export type InMemoryStore = Map<string, Map<string, InMemoryTable>>;

export function createInMemoryStore(databases: string[] = ['test']): InMemoryStore {
  return new Map(databases.map((name) => [name, new Map<string, InMemoryTable>()]));
}

export interface InMemoryConfiguration {
  database: string;
}

const configurationSchema: ConfigurationSchema = {
  type: 'object',
  properties: { database: { type: 'string', title: 'Database' } },
  required: ['database'],
};

function describeTable(id: string, table: InMemoryTable): SchemaDescription {
  return { id, name: id, fields: table.fields.map((field) => ({ ...field })) };
}

function compare(left: unknown, right: unknown): number {
  const numeric = /^-?\d+(\.\d+)?$/;
  if (typeof left === 'string' && typeof right === 'string' && numeric.test(left) && numeric.test(right)) {
    const difference = Number(left) - Number(right);
    if (difference !== 0) return difference;
  }
  return left === right ? 0 : (left as number) < (right as number) ? -1 : 1;
}

export function createInMemoryConnector(store: InMemoryStore): Connector<InMemoryConfiguration> {
  const connector: Connector<InMemoryConfiguration> = {
    type: 'in_memory',
    name: 'In memory',
    configurationSchema,
    capabilities: [Capability.bulkSource, Capability.bulkDestination, Capability.modelSource, Capability.modelTarget],
    validate: (configuration) => validateConfiguration<InMemoryConfiguration>(configurationSchema, configuration),
    open(configuration) {
      const checked = connector.validate(configuration);
      if (!checked.ok)
        throw new ConnectorError(checked.message, { code: 'invalid_configuration', field: checked.field });
      return openConnection(store, checked.value.database);
    },
  };
  return connector;
}

function openConnection(store: InMemoryStore, database: string): Connection {
  const tables = () => {
    const found = store.get(database);
    if (!found) throw new ConnectorError(`Database "${database}" does not exist`, { code: 'database_missing' });
    return found;
  };
  const table = (schemaId: string) => {
    const found = tables().get(schemaId);
    if (!found) throw new ConnectorError(`Table ${schemaId} does not exist`, { code: 'object_missing' });
    return found;
  };
  async function* read(context: RunContext, request: ReadRequest): AsyncIterable<RecordBatch> {
    const { rows } = table(request.schemaId);
    const cursor = request.cursor;
    let selected = rows;
    if (cursor) {
      selected = rows
        .filter(
          (row) => cursor.after === undefined || compare(row[cursor.field], cursor.after) > (cursor.inclusive ? -1 : 0),
        )
        .sort((left, right) => compare(left[cursor.field], right[cursor.field]));
    }
    if (request.limit !== undefined) selected = selected.slice(0, request.limit);
    const size = request.batchSize ?? 1000;
    for (let start = 0; start < selected.length; start += size) {
      throwIfAborted(context.signal);
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(context.signal);
      yield selected.slice(start, start + size).map((row) => pick(cloneRow(row), request.fields));
    }
  }
  const describe = async (_context: RunContext, schemaId: string) => {
    const found = tables().get(schemaId);
    return found ? describeTable(schemaId, found) : undefined;
  };
  const bulkDestination = {
    describeSchema: describe,
    read,
    async apply(context: RunContext, operation: TableOperation) {
      throwIfAborted(context.signal);
      applyOperation(tables(), operation);
    },
    async write(context: RunContext, request: WriteRequest) {
      throwIfAborted(context.signal);
      return { written: writeRows(table(request.schemaId), request) };
    },
  };
  return {
    type: 'in_memory',
    async test() {
      return store.has(database)
        ? { ok: true }
        : { ok: false, code: 'database_missing', message: `Database "${database}" does not exist` };
    },
    async close() {},
    bulkSource: {
      listSchemas: async () => [...tables()].map(([id, found]) => describeTable(id, found)),
      describeSchema: describe,
      read,
    },
    bulkDestination,
    modelSource: {
      // A "query" is a schema id: the in-memory store has no SQL.
      async describeQuery(_context, query) {
        return describeTable(query, table(query)).fields;
      },
      readQuery: (context, query, options) => read(context, { schemaId: query, ...options }),
    },
    modelTarget: createInMemoryTarget(tables, table),
  };
}

/** structuredClone turns a Buffer into a plain Uint8Array; binary values must stay Buffers. */
export function cloneValue(value: unknown): unknown {
  return Buffer.isBuffer(value) ? Buffer.from(value) : structuredClone(value);
}

export function cloneRow(row: Row): Row {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, cloneValue(value)]));
}

function pick(row: Row, fields: string[] | undefined): Row {
  if (!fields) return row;
  return Object.fromEntries(fields.map((field) => [field, row[field] ?? null]));
}

function applyOperation(tables: Map<string, InMemoryTable>, operation: TableOperation): void {
  const existing = tables.get(operation.schemaId);
  switch (operation.kind) {
    case 'create_table':
      if (existing && operation.ifNotExists) return;
      if (existing) throw new ConnectorError(`Table ${operation.schemaId} exists`, { code: 'invalid_query' });
      tables.set(operation.schemaId, {
        rows: [],
        fields: operation.fields.map((field) => ({
          id: field.id,
          name: field.id,
          type: field.type,
          remote_type: field.type,
          is_primary_key: operation.primaryKey.includes(field.id),
          nullable: !operation.primaryKey.includes(field.id),
        })),
      });
      return;
    case 'add_fields':
      if (!existing) throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      for (const field of operation.fields) {
        if (existing.fields.some((known) => known.id === field.id)) continue;
        existing.fields.push({
          id: field.id,
          name: field.id,
          type: field.type,
          remote_type: field.type,
          is_primary_key: false,
          nullable: true,
        });
      }
      return;
    case 'truncate':
      if (existing) existing.rows = [];
      return;
    case 'drop':
      if (!existing && !operation.ifExists)
        throw new ConnectorError(`Table ${operation.schemaId} does not exist`, { code: 'object_missing' });
      tables.delete(operation.schemaId);
      return;
  }
}

function keyOf(row: Row, key: string[]): string {
  return JSON.stringify(key.map((field) => row[field]));
}

function writeRows(table: InMemoryTable, request: WriteRequest): number {
  const key = request.primaryKey ?? table.fields.filter((field) => field.is_primary_key).map((field) => field.id);
  const known = new Set(table.fields.map((field) => field.id));
  for (const record of request.records) {
    const unknown = Object.keys(record).find((field) => !known.has(field));
    if (unknown) throw new ConnectorError(`Unknown field ${unknown}`, { code: 'invalid_query' });
  }
  const full = (record: Row) =>
    Object.fromEntries(table.fields.map((field) => [field.id, cloneValue(record[field.id] ?? null)]));
  for (const record of request.records) {
    const index = table.rows.findIndex((row) => key.length > 0 && keyOf(row, key) === keyOf(record, key));
    if (request.mode === 'delete') {
      if (index >= 0) table.rows.splice(index, 1);
    } else if (index >= 0 && request.mode === 'upsert') {
      table.rows[index] = { ...table.rows[index], ...cloneRow(record) };
    } else {
      table.rows.push(full(record));
    }
  }
  return request.records.length;
}
