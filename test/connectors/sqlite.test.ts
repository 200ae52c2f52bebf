// SQLite runs the conformance suite on a scratch file per test file (always available).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import { decodeSqliteValue, encodeSqliteValue, kindOfDeclaredType } from '../../src/connectors/sqlite/sqlite-types.ts';
import { runConnectorConformance } from './conformance/conformance-suite.ts';
import type { ColumnKind } from './conformance/harness.ts';

const nativeTypes: Record<ColumnKind, string> = {
  integer: 'INTEGER',
  bigint: 'BIGINT',
  decimal: 'DECIMAL_TEXT',
  float: 'REAL',
  text: 'TEXT',
  boolean: 'BOOLEAN',
  timestamptz: 'TIMESTAMPTZ',
  timestamp: 'DATETIME',
  date: 'DATE',
  json: 'JSON',
  binary: 'BLOB',
};

await runConnectorConformance({
  name: 'sqlite',
  unavailable: async () => undefined,
  async open() {
    const directory = mkdtempSync(join(tmpdir(), 'ferry-sqlite-'));
    const path = join(directory, 'test.db');
    const native = new Database(path);
    const quote = (name: string) => `"${name}"`;
    return {
      connector: createSqliteConnector(),
      configuration: { path },
      schemaId: (table) => table,
      noNamespaces:
        'SQLite has no schemas here (attached databases are not used): a dotted id such as ferry.people is one table name',
      nativeType: (kind) => nativeTypes[kind],
      async seed(table, columns, primaryKey, rows) {
        const definitions = columns.map(
          (column) =>
            `${quote(column.name)} ${nativeTypes[column.kind]}${column.required || primaryKey.includes(column.name) ? ' NOT NULL' : ''}`,
        );
        native.exec(
          `CREATE TABLE ${quote(table)} (${definitions.join(', ')}, PRIMARY KEY (${primaryKey.map(quote).join(', ')}))`,
        );
        const insert = native.prepare(
          `INSERT INTO ${quote(table)} (${columns.map((column) => quote(column.name)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        );
        native.transaction(() => {
          for (const row of rows) {
            insert.run(
              ...columns.map((column) =>
                encodeSqliteValue(kindOfDeclaredType(nativeTypes[column.kind]), row[column.name] ?? null),
              ),
            );
          }
        })();
      },
      async readTable(table, orderBy) {
        const statement = native.prepare(`SELECT * FROM ${quote(table)} ORDER BY ${quote(orderBy)}`).safeIntegers(true);
        const types = new Map(statement.columns().map((column) => [column.name, kindOfDeclaredType(column.type)]));
        return (statement.all() as Record<string, unknown>[]).map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([key, value]) => [key, decodeSqliteValue(types.get(key) ?? 'unknown', value)]),
          ),
        );
      },
      failingConfigurations: [
        {
          name: 'database file missing',
          configuration: { path: join(directory, 'missing.db') },
          code: 'database_missing',
        },
        {
          name: 'directory missing',
          configuration: { path: join(directory, 'nowhere', 'x.db') },
          code: 'database_missing',
        },
      ],
      untestableFailures: {
        host_unreachable: 'SQLite is a local file: there is no host',
        authentication_failed: 'SQLite has no authentication',
      },
      async close() {
        native.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
});
