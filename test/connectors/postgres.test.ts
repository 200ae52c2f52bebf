// PostgreSQL runs the conformance suite against a scratch database on the local server.
import pg from 'pg';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { postgresTypeParsers } from '../../src/connectors/postgres/postgres-types.ts';
import { createPostgresDatabase, postgresUnavailable } from '../kit/services.ts';
import { postgresConfiguration } from './postgres-configuration-fixture.ts';
import { runConnectorConformance } from './conformance/conformance-suite.ts';
import type { ColumnKind } from './conformance/harness.ts';

const nativeTypes: Record<ColumnKind, string> = {
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'numeric(38,9)',
  float: 'double precision',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp(6) without time zone',
  date: 'date',
  json: 'jsonb',
  binary: 'bytea',
};

await runConnectorConformance({
  name: 'postgresql',
  unavailable: postgresUnavailable,
  async open() {
    const database = await createPostgresDatabase('ferry_connector');
    const native = new pg.Pool({ connectionString: database.url, max: 2, types: postgresTypeParsers });
    const configuration = postgresConfiguration(database);
    const quote = (name: string) => `"${name}"`;
    return {
      connector: createPostgresConnector(),
      configuration,
      schemaId: (table) => `public.${table}`,
      nativeType: (kind) => nativeTypes[kind],
      async seed(table, columns, primaryKey, rows) {
        const definitions = columns.map(
          (column) => `${quote(column.name)} ${nativeTypes[column.kind]}${column.required ? ' not null' : ''}`,
        );
        await native.query(
          `create table ${quote(table)} (${definitions.join(', ')}, primary key (${primaryKey.map(quote).join(', ')}))`,
        );
        const names = columns.map((column) => quote(column.name)).join(', ');
        // One statement via unnest of JSON keeps seeding 20k rows fast.
        const encoded = rows.map((row) =>
          columns.map((column) => {
            const value = row[column.name] ?? null;
            if (value === null) return null;
            if (column.kind === 'json') return JSON.stringify(value);
            if (column.kind === 'binary') return `\\x${(value as Buffer).toString('hex')}`;
            return String(value);
          }),
        );
        const selects = columns.map((column, index) => `(r->>${index})::${nativeTypes[column.kind]}`).join(', ');
        for (let start = 0; start < encoded.length; start += 5000) {
          await native.query(
            `insert into ${quote(table)} (${names}) select ${selects} from jsonb_array_elements($1::jsonb) as r`,
            [JSON.stringify(encoded.slice(start, start + 5000))],
          );
        }
      },
      async readTable(table, orderBy) {
        return (await native.query(`select * from ${quote(table)} order by ${quote(orderBy)}`)).rows;
      },
      newNamespace: {
        // The scratch database is dropped on close, and the schema with it.
        schemaId: (table) => `ferry_new_schema.${table}`,
        async readTable(table, orderBy) {
          return (await native.query(`select * from "ferry_new_schema".${quote(table)} order by ${quote(orderBy)}`))
            .rows;
        },
      },
      failingConfigurations: [
        { name: 'host unreachable', configuration: { ...configuration, port: 1 }, code: 'host_unreachable' },
        {
          name: 'authentication failed',
          configuration: { ...configuration, username: 'ferry_no_such_role' },
          code: 'authentication_failed',
        },
        {
          name: 'database missing',
          configuration: { ...configuration, database: 'ferry_no_such_database' },
          code: 'database_missing',
        },
        {
          name: 'ssl unsupported by the server',
          configuration: { ...configuration, ssl: true },
          code: 'ssl_unsupported',
        },
      ],
      async close() {
        await native.end();
        await database.drop();
      },
    };
  },
});
