// MySQL/MariaDB → PostgreSQL on the record path, one column of every MySQL type Ferry maps, compared as the text
// PostgreSQL holds afterwards (column::text), so every value the COPY text writes is pinned exactly: NULLs, the
// characters COPY text escapes (tab, newline, carriage return, backslash) in text, JSON and binary, booleans from
// tinyint(1), exact decimals and 64-bit integers, microsecond datetimes and timestamps, and dates.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Connection } from '../../../src/connectors/connector.ts';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type ScratchDatabase,
} from '../../kit/services.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { assertCompleted, createHarness, openMysql, openPostgres, planOf } from './bulk-test-kit.ts';

const unavailable = (await postgresUnavailable()) ?? (await mysqlUnavailable());

const columns = `id bigint primary key, flag tinyint(1), small smallint, whole int, big bigint, unsigned_big bigint
  unsigned, exact decimal(38,9), approximate double, single float, label varchar(64), body longtext, choice
  enum('a','b'), doc json, bytes varbinary(16), blob_data longblob, happened datetime(6), plain_time datetime,
  instant timestamp(6) null, day date`;

const names = columns.split(/,\s*(?=[a-z_]+\s)/).map((column) => column.trim().split(/\s+/)[0]!);
const escapes = 'tab\there\nnew line\r\\back slash';

describe('bulk engine: MySQL → PostgreSQL values', { skip: unavailable }, () => {
  let source: ScratchDatabase;
  let destination: ScratchDatabase;
  let mysqlConnection: Connection;
  let postgres: PostgresConnection;

  before(async () => {
    [source, destination] = await Promise.all([
      createMysqlDatabase('ferry_my_values'),
      createPostgresDatabase('ferry_my_values'),
    ]);
    const native = await mysql.createConnection({ uri: source.url });
    await native.query(`SET time_zone = '+00:00'`);
    await native.query(`create table every_type (${columns}) default charset = utf8mb4`);
    await native.query(`insert into every_type values ?`, [
      [
        [
          1,
          1,
          -32768,
          -2147483648,
          '-9223372036854775808',
          '9223372036854775807',
          '12345678901234567890.123456789',
          1.5,
          -0.25,
          'héllo 🚀',
          escapes,
          'b',
          JSON.stringify({ text: escapes, list: [1, 'two', null], nested: { ok: true } }),
          Buffer.from([0, 9, 10, 13, 92, 255]),
          Buffer.from('\\x00'),
          '2024-03-04 05:06:07.123456',
          '1999-12-31 23:59:59',
          '2024-03-04 05:06:07.500000',
          '2024-02-29',
        ],
        [2, 0, 0, 0, '0', '0', '-0.000000001', 0, 0, '', '', 'a', '[]', Buffer.alloc(0), Buffer.alloc(0)].concat([
          '1970-01-01 00:00:00.000001',
          '2038-01-19 03:14:07',
          '1970-01-01 00:00:01.000000',
          '1970-01-01',
        ]),
      ],
    ]);
    await native.query('insert into every_type (id) values (3)');
    await native.query('create table with_time (id int primary key, span time)');
    await native.query(`insert into with_time values (1, '-12:30:05')`);
    await native.end();
    mysqlConnection = openMysql(source);
    postgres = openPostgres(destination);
  });

  after(async () => {
    await mysqlConnection?.close();
    await postgres?.close();
    await Promise.all([source?.drop(), destination?.drop()]);
  });

  // The same values on both paths: COPY text printed from MySQL's row packets (the direct copy, in chunks of two
  // rows, so a chunk ends on a row of NULLs), and decoded records (a test run's row limit takes the record path).
  for (const [path, extra] of [
    ['copy_text', { copyChunkSize: 2 }],
    ['records', { rowLimit: 10 }],
  ] as const) {
    test(`every type arrives with the value MySQL holds, NULLs included (${path})`, async () => {
      const outputName = `every_type_${path}`;
      const result = await createHarness().run(
        planOf(mysqlConnection, postgres, {
          schemas: [{ schemaId: `${source.name}.every_type`, outputName }],
          batchSize: 2,
          ...extra,
        }),
      );
      assertCompleted(result);
      assert.equal(result.schemas[0]!.path, path);
      assert.equal(result.schemas[0]!.recordCount, 3);
      const sql = new pg.Client({ connectionString: destination.url });
      await sql.connect();
      try {
        await sql.query(`set time zone 'UTC'`);
        const { rows } = await sql.query({
          text: `select ${names.map((name) => `${name}::text`).join(', ')} from ${outputName} order by id`,
          rowMode: 'array',
        });
        assert.deepEqual(rows, [
          [
            '1',
            'true',
            '-32768',
            '-2147483648',
            '-9223372036854775808',
            '9223372036854775807',
            '12345678901234567890.123456789',
            '1.5',
            '-0.25',
            'héllo 🚀',
            escapes,
            'b',
            // jsonb's own text: keys by length, then by name.
            `{"list": [1, "two", null], "text": ${JSON.stringify(escapes)}, "nested": {"ok": true}}`,
            '\\x00090a0d5cff',
            '\\x5c783030',
            '2024-03-04 05:06:07.123456',
            '1999-12-31 23:59:59',
            '2024-03-04 05:06:07.5+00',
            '2024-02-29',
          ],
          [
            '2',
            'false',
            '0',
            '0',
            '0',
            '0',
            '-0.000000001',
            '0',
            '0',
            '',
            '',
            'a',
            '[]',
            '\\x',
            '\\x',
            '1970-01-01 00:00:00.000001',
            '2038-01-19 03:14:07',
            '1970-01-01 00:00:01+00',
            '1970-01-01',
          ],
          ['3', ...names.slice(1).map(() => null)],
        ]);
      } finally {
        await sql.end();
      }
    });
  }

  test('a table with a column the COPY text printer does not take (TIME) is copied as records', async () => {
    const result = await createHarness().run(
      planOf(mysqlConnection, postgres, { schemas: [{ schemaId: `${source.name}.with_time` }] }),
    );
    assertCompleted(result);
    assert.equal(result.schemas[0]!.path, 'records');
    const copied = await postgres.bulkSource!.read(createMockRunContext(), { schemaId: 'with_time' });
    const rows = [];
    for await (const batch of copied) rows.push(...batch);
    assert.deepEqual(rows, [{ id: 1, span: '-12:30:05' }]);
  });
});
