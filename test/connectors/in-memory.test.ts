// The in-memory test-kit connector runs the same conformance suite as the real ones, so engine
// tests built on it exercise the same contract.
import type { UtilFieldType } from '../../src/connectors/records.ts';
import { toNaiveIso, toUtcIso } from '../../src/connectors/temporal-values.ts';
import { cloneRow, cloneValue, createInMemoryConnector, createInMemoryStore } from '../kit/in-memory-connector.ts';
import { runConnectorConformance } from './conformance/conformance-suite.ts';
import type { ColumnKind } from './conformance/harness.ts';

const kindTypes: Record<ColumnKind, UtilFieldType> = {
  integer: 'number',
  bigint: 'number',
  decimal: 'number',
  float: 'number',
  text: 'string',
  boolean: 'boolean',
  timestamptz: 'datetime',
  timestamp: 'datetime',
  date: 'datetime',
  json: 'object',
  binary: 'binary',
};

const normalise: Partial<Record<ColumnKind, (value: string) => string>> = {
  timestamptz: toUtcIso,
  timestamp: toNaiveIso,
};

await runConnectorConformance({
  name: 'in_memory',
  unavailable: async () => undefined,
  async open() {
    const store = createInMemoryStore(['test']);
    const tables = store.get('test')!;
    return {
      connector: createInMemoryConnector(store),
      configuration: { database: 'test' },
      schemaId: (table) => table,
      noNamespaces: 'the in-memory connector has one flat table map per database',
      nativeType: (kind) => kind,
      async seed(table, columns, primaryKey, rows) {
        tables.set(table, {
          fields: columns.map((column) => ({
            id: column.name,
            name: column.name,
            type: kindTypes[column.kind],
            remote_type: column.kind,
            is_primary_key: primaryKey.includes(column.name),
            nullable: !primaryKey.includes(column.name) && !column.required,
          })),
          rows: rows.map((row) =>
            Object.fromEntries(
              columns.map((column) => {
                const value = row[column.name] ?? null;
                const convert = normalise[column.kind];
                return [column.name, convert && typeof value === 'string' ? convert(value) : cloneValue(value)];
              }),
            ),
          ),
        });
      },
      async readTable(table, orderBy) {
        const rows = (tables.get(table)?.rows ?? []).map(cloneRow);
        return rows.sort((left, right) =>
          String(left[orderBy]).localeCompare(String(right[orderBy]), 'en', { numeric: true }),
        );
      },
      failingConfigurations: [
        { name: 'database missing', configuration: { database: 'elsewhere' }, code: 'database_missing' },
      ],
      untestableFailures: {
        host_unreachable: 'the in-memory connector has no host',
        authentication_failed: 'the in-memory connector has no credentials',
      },
      async close() {},
    };
  },
});
