// MySQL/MariaDB runs the conformance suite against a scratch database on the local server.
import mysql from 'mysql2/promise';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import {
  decodeMysqlValue,
  encodeMysqlValue,
  kindOfColumn,
  type MysqlValueKind,
} from '../../src/connectors/mysql/mysql-types.ts';
import { createMysqlDatabase, mysqlUnavailable } from '../kit/services.ts';
import { runConnectorConformance } from './conformance/conformance-suite.ts';
import type { ColumnKind } from './conformance/harness.ts';

const nativeTypes: Record<ColumnKind, string> = {
  integer: 'int',
  bigint: 'bigint',
  decimal: 'decimal(38,9)',
  float: 'double',
  text: 'longtext',
  boolean: 'tinyint(1)',
  timestamptz: 'timestamp(6) null',
  timestamp: 'datetime(6)',
  date: 'date',
  json: 'json',
  binary: 'longblob',
};
const kinds: Record<ColumnKind, MysqlValueKind> = {
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  float: 'float',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  date: 'date',
  json: 'json',
  binary: 'binary',
};

await runConnectorConformance({
  name: 'mysql',
  unavailable: mysqlUnavailable,
  async open() {
    const database = await createMysqlDatabase('ferry_connector');
    const native = await mysql.createConnection({
      uri: database.url,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
    });
    await native.query("SET time_zone = '+00:00'");
    const url = new URL(database.url);
    const configuration = {
      hostname: url.hostname,
      port: Number(url.port || 3306),
      account: decodeURIComponent(url.username),
      passwd: decodeURIComponent(url.password),
      dbname: database.name,
      ssl: false,
    };
    const quote = (name: string) => `\`${name}\``;
    // A database that does not exist yet, for the destination to create; a server-wide name, so dropped on close.
    const newDatabase = `${database.name}_new`;
    async function readFrom(qualifiedTable: string, orderBy: string): Promise<Record<string, unknown>[]> {
      const [rows, fields] = await native.query(`select * from ${qualifiedTable} order by ${quote(orderBy)}`);
      const columnKinds = new Map(
        fields.map((field) => [
          field.name,
          kindOfColumn(
            field.type === 1 && field.columnLength === 1 ? 'tinyint' : 'other',
            field.columnLength === 1 ? 'tinyint(1)' : '',
          ),
        ]),
      );
      return (rows as Record<string, unknown>[]).map((row) =>
        Object.fromEntries(
          Object.entries(row).map(([key, value]) => [
            key,
            decodeMysqlValue(
              columnKinds.get(key) === 'boolean'
                ? 'boolean'
                : typeof value === 'string' && /^\d{4}-\d\d-\d\d \d\d:/.test(value)
                  ? 'timestamptz'
                  : 'other',
              value,
            ),
          ]),
        ),
      );
    }
    return {
      connector: createMysqlConnector(),
      configuration,
      schemaId: (table) => `${database.name}.${table}`,
      nativeType: (kind) => nativeTypes[kind],
      async seed(table, columns, primaryKey, rows) {
        const definitions = columns.map((column) => {
          const type =
            primaryKey.includes(column.name) && column.kind === 'text' ? 'varchar(255)' : nativeTypes[column.kind];
          return `${quote(column.name)} ${type}${column.required || primaryKey.includes(column.name) ? ' not null' : ''}`;
        });
        await native.query(
          `create table ${quote(table)} (${definitions.join(', ')}, primary key (${primaryKey.map(quote).join(', ')})) default charset = utf8mb4`,
        );
        const names = columns.map((column) => quote(column.name)).join(', ');
        for (let start = 0; start < rows.length; start += 2000) {
          const chunk = rows
            .slice(start, start + 2000)
            .map((row) => columns.map((column) => encodeMysqlValue(kinds[column.kind], row[column.name] ?? null)));
          if (chunk.length > 0) await native.query(`insert into ${quote(table)} (${names}) values ?`, [chunk]);
        }
      },
      readTable: (table, orderBy) => readFrom(quote(table), orderBy),
      newNamespace: {
        schemaId: (table) => `${newDatabase}.${table}`,
        readTable: (table, orderBy) => readFrom(`${quote(newDatabase)}.${quote(table)}`, orderBy),
      },
      failingConfigurations: [
        { name: 'host unreachable', configuration: { ...configuration, port: 1 }, code: 'host_unreachable' },
        {
          name: 'authentication failed',
          configuration: { ...configuration, passwd: 'wrong-password' },
          code: 'authentication_failed',
        },
        {
          name: 'database missing',
          configuration: { ...configuration, dbname: 'ferry_no_such_database' },
          code: 'database_missing',
        },
        {
          name: 'ssl unsupported by the server',
          configuration: { ...configuration, ssl: true },
          code: 'ssl_unsupported',
        },
      ],
      async close() {
        await native.query(`drop database if exists ${quote(newDatabase)}`);
        await native.end();
        await database.drop();
      },
    };
  },
});
