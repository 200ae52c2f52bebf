// Inserts into a Parquet table Ferry wrote add row groups and a new footer instead of rewriting the file; a file of
// another schema (written by another tool) is still rewritten. Read back with hyparquet, never the connector.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type ParquetParsers } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Connection } from '../../src/connectors/connector.ts';
import { createFilesConnector } from '../../src/connectors/files/files-connector.ts';
import { silentLogger } from '../../src/domain/run-context.ts';

const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
const raw: Partial<ParquetParsers> = {
  timestampFromMicroseconds: (value) => value,
  stringFromBytes: (value) => value,
};
let directory: string;
let connection: Connection;

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'ferry-parquet-append-'));
  connection = createFilesConnector().open({ path: directory, format: 'parquet' });
});
after(() => rmSync(directory, { recursive: true, force: true }));

function batch(from: number, count: number) {
  return Array.from({ length: count }, (_, index) => {
    const id = from + index;
    return {
      id,
      name: `name ${id}`,
      amount: `${id}.25`,
      at: `2026-01-01T00:00:${String(id % 60).padStart(2, '0')}.123456Z`,
      payload: Buffer.from([0xff, id % 256]),
    };
  });
}

test('each insert into a Ferry Parquet table is a new row group; old row groups and their statistics stay as written', async () => {
  const destination = connection.bulkDestination!;
  await destination.apply(context, {
    kind: 'create_table',
    schemaId: 'events',
    fields: [
      { id: 'id', type: 'number', remote_type: 'bigint' },
      { id: 'name', type: 'string' },
      { id: 'amount', type: 'number', remote_type: 'numeric' },
      { id: 'at', type: 'datetime' },
      { id: 'payload', type: 'binary' },
    ],
    primaryKey: ['id'],
  });
  const path = join(directory, 'events.parquet');
  await destination.write(context, { schemaId: 'events', mode: 'insert', records: batch(1, 300) });
  const first = await parquetMetadataAsync(await asyncBufferFromFile(path), { parsers: raw });
  await destination.write(context, { schemaId: 'events', mode: 'insert', records: batch(301, 200) });
  await destination.write(context, { schemaId: 'events', mode: 'insert', records: batch(501, 50) });
  const last = await parquetMetadataAsync(await asyncBufferFromFile(path), { parsers: raw });

  assert.deepEqual(
    last.row_groups.map((group) => Number(group.num_rows)),
    [300, 200, 50],
  );
  assert.equal(last.num_rows, 550n);
  // The first row group's chunks (offsets, sizes, min/max of the binary and timestamp columns) are untouched.
  assert.deepEqual(last.row_groups[0], first.row_groups[0]);

  const rows = await parquetReadObjects({ file: await asyncBufferFromFile(path), utf8: false });
  assert.equal(rows.length, 550);
  assert.deepEqual(
    rows.map((row) => Number(row.id)),
    Array.from({ length: 550 }, (_, index) => index + 1),
  );
  const read = [];
  for await (const records of connection.bulkSource!.read(context, { schemaId: 'events' })) read.push(...records);
  assert.deepEqual(read.at(-1), { ...batch(550, 1)[0], id: '550' });
  assert.deepEqual(read[299], { ...batch(300, 1)[0], id: '300' });
});

test('an insert into a Parquet file of another schema rewrites it into one that takes appends', async () => {
  // DECIMAL as an INT32 with a scale: not how Ferry writes decimals (text), so rows cannot be appended as they are.
  const foreign = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: [1n, 2n] },
      { name: 'price', data: [1.5, 2.75] },
    ],
    schema: [
      { name: 'root', num_children: 2 },
      { name: 'id', type: 'INT64', repetition_type: 'OPTIONAL' },
      { name: 'price', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', precision: 9, scale: 2 },
    ],
  });
  const path = join(directory, 'prices.parquet');
  writeFileSync(path, new Uint8Array(foreign));
  const destination = connection.bulkDestination!;
  await destination.write(context, { schemaId: 'prices', mode: 'insert', records: [{ id: 3, price: '3.10' }] });
  await destination.write(context, { schemaId: 'prices', mode: 'insert', records: [{ id: 4, price: '4.05' }] });
  const read = [];
  for await (const records of connection.bulkSource!.read(context, { schemaId: 'prices' })) read.push(...records);
  assert.deepEqual(read, [
    { id: '1', price: '1.50' },
    { id: '2', price: '2.75' },
    { id: '3', price: '3.10' },
    { id: '4', price: '4.05' },
  ]);
  // The first insert rewrote the file in Ferry's schema (one row group); the second appended a row group.
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  assert.deepEqual(
    metadata.row_groups.map((group) => Number(group.num_rows)),
    [3, 1],
  );
});

test('an upsert of keys the Parquet table does not hold appends a row group; one of a held key rewrites the row', async () => {
  const destination = connection.bulkDestination!;
  await destination.apply(context, {
    kind: 'create_table',
    schemaId: 'accounts',
    fields: [
      { id: 'id', type: 'number', remote_type: 'bigint' },
      { id: 'name', type: 'string' },
    ],
    primaryKey: ['id'],
  });
  const path = join(directory, 'accounts.parquet');
  const upsert = (records: { id: number; name: string }[]) =>
    destination.write(context, { schemaId: 'accounts', mode: 'upsert', primaryKey: ['id'], records });
  await upsert([
    { id: 1, name: 'one' },
    { id: 2, name: 'two' },
  ]);
  // Below, between and above the first row group's id range: none is held, so each batch is appended.
  await upsert([{ id: 10, name: 'ten' }]);
  await upsert([{ id: 5, name: 'five' }]);
  const groups = async () =>
    (await parquetMetadataAsync(await asyncBufferFromFile(path))).row_groups.map((group) => Number(group.num_rows));
  assert.deepEqual(await groups(), [2, 1, 1]);
  await upsert([
    { id: 2, name: 'TWO' },
    { id: 11, name: 'eleven' },
  ]);
  const read = [];
  for await (const records of connection.bulkSource!.read(context, { schemaId: 'accounts' })) read.push(...records);
  assert.deepEqual(
    read.map((row) => `${row.id}:${row.name}`),
    ['1:one', '10:ten', '5:five', '2:TWO', '11:eleven'],
  );
  // A held key rewrote the file (one row group for the kept rows, then the batch).
  assert.equal(
    (await groups()).reduce((sum, rows) => sum + rows, 0),
    5,
  );
});
