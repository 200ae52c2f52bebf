// Parquet files Ferry writes (appends spliced in place behind the journal) are read by DuckDB, a reader that checks
// every offset, with the types Ferry's schema declares and the values Ferry wrote; and a Parquet file another program
// wrote (hyparquet-writer called directly) takes Ferry's appends.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileSync } from 'node:fs';
import type { Connection } from '../../src/connectors/connector.ts';
import { createFilesConnector } from '../../src/connectors/files/files-connector.ts';
import { silentLogger } from '../../src/domain/run-context.ts';

const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
let directory: string;
let connection: Connection;

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'ferry-parquet-duckdb-'));
  connection = createFilesConnector().open({ path: directory, format: 'parquet' });
});
after(() => rmSync(directory, { recursive: true, force: true }));

async function duckdb(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  try {
    return (await duck.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    duck.closeSync();
  }
}

function record(id: number) {
  return {
    id,
    big: id % 2 === 0 ? '9007199254740993' : `-${id}`,
    name: id % 5 === 0 ? null : `naïve ${id}`,
    amount: `${id}.10`,
    score: id / 4,
    active: id % 3 === 0,
    at: `2026-01-02T03:04:${String(id % 60).padStart(2, '0')}.123456Z`,
    local: '9999-12-31T23:59:59.999999',
    day: id % 7 === 0 ? null : '1969-12-31',
    doc: { tier: id % 4, tags: ['a', id] },
    payload: Buffer.from([0, 0xff, id % 256]),
  };
}

test('DuckDB reads a Parquet table Ferry created, appended to twice and rewrote, with its declared types', async () => {
  const destination = connection.bulkDestination!;
  await destination.apply(context, {
    kind: 'create_table',
    schemaId: 'every_kind',
    fields: [
      { id: 'id', type: 'number', remote_type: 'integer' },
      { id: 'big', type: 'number', remote_type: 'bigint' },
      { id: 'name', type: 'string' },
      { id: 'amount', type: 'number', remote_type: 'numeric' },
      { id: 'score', type: 'number', remote_type: 'double precision' },
      { id: 'active', type: 'boolean' },
      { id: 'at', type: 'datetime' },
      { id: 'local', type: 'datetime', remote_type: 'timestamp without time zone' },
      { id: 'day', type: 'datetime', remote_type: 'date' },
      { id: 'doc', type: 'object' },
      { id: 'payload', type: 'binary' },
    ],
    primaryKey: ['id'],
  });
  const path = join(directory, 'every_kind.parquet');
  const records = Array.from({ length: 40 }, (_, index) => record(index + 1));
  await destination.write(context, { schemaId: 'every_kind', mode: 'insert', records: records.slice(0, 25) });
  await destination.write(context, { schemaId: 'every_kind', mode: 'insert', records: records.slice(25, 30) });
  // An upsert of a held key rewrites the whole file (one streaming write).
  await destination.write(context, {
    schemaId: 'every_kind',
    mode: 'upsert',
    primaryKey: ['id'],
    records: [record(3), ...records.slice(30)],
  });

  const types = await duckdb(`select column_name, column_type from (describe select * from '${path}')`);
  assert.deepEqual(Object.fromEntries(types.map((row) => [row.column_name, row.column_type])), {
    id: 'BIGINT',
    big: 'BIGINT',
    name: 'VARCHAR',
    amount: 'VARCHAR',
    score: 'DOUBLE',
    active: 'BOOLEAN',
    at: 'TIMESTAMP WITH TIME ZONE',
    local: 'TIMESTAMP',
    day: 'DATE',
    doc: 'JSON',
    payload: 'BLOB',
  });
  const rows = await duckdb(
    `select id, big::varchar as big, name, amount, score, active, strftime(timezone('UTC', "at"), '%Y-%m-%dT%H:%M:%S.%fZ') as "at",
       strftime(local, '%Y-%m-%dT%H:%M:%S.%f') as local, day::varchar as day, doc::varchar as doc, hex(payload) as payload
     from '${path}' order by id`,
  );
  assert.equal(rows.length, 40);
  for (const row of rows) {
    const expected = record(Number(row.id));
    assert.deepEqual(row, {
      id: String(expected.id),
      big: expected.big,
      name: expected.name,
      amount: expected.amount,
      score: expected.score,
      active: expected.active,
      at: expected.at,
      local: expected.local,
      day: expected.day,
      doc: JSON.stringify(expected.doc),
      payload: expected.payload.toString('hex').toUpperCase(),
    });
  }
});

test('a Parquet file another program wrote takes appended row groups that DuckDB and Ferry read back', async () => {
  const path = join(directory, 'legacy.parquet');
  const ids = [1n, 2n, 3n];
  writeFileSync(
    path,
    Buffer.from(
      parquetWriteBuffer({
        columnData: [
          { name: 'id', data: ids, type: 'INT64', nullable: true },
          { name: 'note', data: ['one', null, 'three'], type: 'STRING', nullable: true },
        ],
      }),
    ),
  );
  const destination = connection.bulkDestination!;
  await destination.write(context, {
    schemaId: 'legacy',
    mode: 'insert',
    records: [
      { id: 4, note: 'four' },
      { id: 5, note: null },
    ],
  });
  const rows = await duckdb(`select id::int as id, note from '${path}' order by id`);
  assert.deepEqual(rows, [
    { id: 1, note: 'one' },
    { id: 2, note: null },
    { id: 3, note: 'three' },
    { id: 4, note: 'four' },
    { id: 5, note: null },
  ]);
  const read = [];
  for await (const batch of connection.bulkSource!.read(context, { schemaId: 'legacy' })) read.push(...batch);
  assert.deepEqual(
    read.map((row) => row.note),
    ['one', null, 'three', 'four', null],
  );
});
