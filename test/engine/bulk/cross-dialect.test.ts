// Copies between different engines (the record-batch path), compared row by row with the source.
// Values are compared after `comparable()`, which only folds representation differences the type
// mapping documents in docs/connectors.md (e.g. SQLite has no boolean and keeps booleans as 0/1 on
// write but reads them back as booleans; a zoned timestamp stored in a zone-less column loses its `Z`).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Connection, Row } from '../../../src/connectors/connector.ts';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import { createSqliteConnector } from '../../../src/connectors/sqlite/sqlite-connector.ts';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type ScratchDatabase,
} from '../../kit/services.ts';
import { assertCompleted, createHarness, openMysql, openPostgres, planOf, readTable } from './bulk-test-kit.ts';

const postgresMissing = await postgresUnavailable();
const mysqlMissing = await mysqlUnavailable();

function comparable(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?$/.test(value))
    return value.replace(/Z$/, '').replace(/\.?0*$/, '');
  if (typeof value === 'string' && /^-?\d+\.\d+$/.test(value)) return value.replace(/\.?0+$/, '');
  return value;
}

function assertSameRows(actual: Row[], expected: Row[]): void {
  assert.equal(actual.length, expected.length, 'row count');
  const fold = (rows: Row[]) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, comparable(value)])));
  assert.deepEqual(fold(actual), fold(expected));
}

describe('bulk engine: between engines', { skip: postgresMissing }, () => {
  let postgresDatabase: ScratchDatabase;
  let postgres: PostgresConnection;
  let postgresSql: pg.Pool;
  let directory: string;
  let sqlitePath: string;
  let sqlite: Connection;

  before(async () => {
    postgresDatabase = await createPostgresDatabase('ferry_bulk_cross');
    postgres = openPostgres(postgresDatabase);
    postgresSql = new pg.Pool({ connectionString: postgresDatabase.url, max: 2 });
    directory = mkdtempSync(join(tmpdir(), 'ferry-bulk-cross-'));
    sqlitePath = join(directory, 'data.db');
    const native = new Database(sqlitePath);
    native.exec(
      `CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT, price DECIMAL_TEXT, ratio REAL, active BOOLEAN, at TIMESTAMPTZ, doc JSON, data BLOB, big BIGINT)`,
    );
    const insert = native.prepare(`INSERT INTO things VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    native.transaction(() => {
      for (let id = 1; id <= 2500; id += 1) {
        insert.run(
          id,
          `thing ${id} ✓`,
          `${id}.000000001`,
          id / 8,
          id % 2,
          `2024-02-0${1 + (id % 9)}T10:00:00.123456Z`,
          JSON.stringify({ id, tags: ['a', id] }),
          Buffer.from([id % 256, 0, 255]),
          `9007199254740${String(id).padStart(3, '0')}`,
        );
      }
      insert.run(9999, null, null, null, null, null, null, null, null);
    })();
    native.close();
    sqlite = createSqliteConnector().open({ path: sqlitePath });
    await postgresSql.query(
      `create table accounts (id bigint primary key, email text not null, balance numeric(20,4), active boolean, created timestamptz, birthday date, profile jsonb, avatar bytea)`,
    );
    await postgresSql.query(
      `insert into accounts select i, 'user' || i || '@example.com', i * 1.5, i % 3 = 0, '2023-06-01T00:00:00Z'::timestamptz + i * interval '1 hour 1 second', date '1990-01-01' + i, jsonb_build_object('n', i), '\\xdeadbeef'::bytea from generate_series(1, 1500) i`,
    );
    await postgresSql.query(`insert into accounts (id, email) values (100000, 'nulls@example.com')`);
  });
  after(async () => {
    await Promise.all([postgres?.close(), sqlite?.close(), postgresSql?.end()]);
    await postgresDatabase?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('sqlite → postgresql', async () => {
    const result = await createHarness().run(
      planOf(sqlite, postgres, {
        syncId: 'sqlite-pg',
        schemas: [{ schemaId: 'things', outputName: 'things_from_sqlite' }],
        batchSize: 700,
      }),
    );
    assertCompleted(result);
    assert.equal(result.schemas[0]!.path, 'records');
    assertSameRows(
      await readTable(postgres.bulkSource, 'things_from_sqlite', 'id'),
      await readTable(sqlite.bulkSource!, 'things', 'id'),
    );
  });

  test('postgresql → sqlite', async () => {
    const harness = createHarness();
    const plan = () =>
      planOf(postgres, sqlite, {
        syncId: 'pg-sqlite',
        schemas: [{ schemaId: 'public.accounts', trackingField: 'created' }],
        batchSize: 400,
      });
    assertCompleted(await harness.run(plan()));
    await postgresSql.query(`update accounts set email = 'changed@example.com', created = now() where id = 7`);
    const second = await harness.run(plan());
    assertCompleted(second);
    assert.equal(second.schemas[0]!.incremental, true);
    assertSameRows(
      await readTable(sqlite.bulkSource!, 'accounts', 'id'),
      await readTable(postgres.bulkSource, 'public.accounts', 'id'),
    );
  });

  describe('mysql → postgresql', { skip: mysqlMissing }, () => {
    let mysqlDatabase: ScratchDatabase;
    let mysqlConnection: Connection;

    before(async () => {
      mysqlDatabase = await createMysqlDatabase('ferry_bulk_cross');
      const native = await mysql.createConnection({ uri: mysqlDatabase.url, multipleStatements: true });
      await native.query(`SET time_zone = '+00:00'`);
      await native.query(
        `create table orders (id int primary key, customer varchar(100), total decimal(38,9), paid tinyint(1), placed datetime(6), updated timestamp(6) null, meta json, blob_data longblob, counter bigint unsigned) default charset = utf8mb4`,
      );
      const rows = Array.from({ length: 1800 }, (_, index) => {
        const id = index + 1;
        return [
          id,
          `customer ${id} é`,
          `${id}.123456789`,
          id % 2,
          `2024-03-01 00:00:${String(id % 60).padStart(2, '0')}.654321`,
          `2024-03-02 00:00:00.${String(id).padStart(6, '0')}`,
          JSON.stringify({ id }),
          Buffer.from([1, 2, id % 256]),
          `900719925474${String(id).padStart(4, '0')}`,
        ];
      });
      await native.query(`insert into orders values ?`, [rows]);
      await native.query(`insert into orders (id) values (5000)`);
      await native.end();
      mysqlConnection = openMysql(mysqlDatabase);
    });
    after(async () => {
      await mysqlConnection?.close();
      await mysqlDatabase?.drop();
    });

    test('copies every row with its values', async () => {
      const result = await createHarness().run(
        planOf(mysqlConnection, postgres, {
          syncId: 'mysql-pg',
          schemas: [{ schemaId: `${mysqlDatabase.name}.orders`, trackingField: 'updated' }],
          batchSize: 500,
        }),
      );
      assertCompleted(result);
      assertSameRows(
        await readTable(postgres.bulkSource, 'orders', 'id'),
        await readTable(mysqlConnection.bulkSource!, `${mysqlDatabase.name}.orders`, 'id'),
      );
    });
  });
});
