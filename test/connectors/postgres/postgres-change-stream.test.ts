// Streaming changes from a PostgreSQL replication slot: order, values, TOAST, truncate, new columns, big transactions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Change, ChangeBatch } from '../../../src/connectors/change-capture.ts';
import type { Row } from '../../../src/connectors/records.ts';
import { postgresUnavailable } from '../../kit/services.ts';
import {
  applyChanges,
  type CaptureWorld,
  context,
  createCaptureWorld,
  drain,
  rowChanges,
} from './change-capture-fixture.ts';

const skip = await postgresUnavailable();

// A full collection before each heap reading, so the readings count what the stream keeps, not garbage.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

describe('PostgreSQL change stream', { skip }, () => {
  let world: CaptureWorld;
  before(async () => {
    world = await createCaptureWorld();
  });
  after(async () => {
    await world?.cleanup();
  });

  /** A slot on `tables` whose snapshot is released at once: what follows is streamed. */
  async function startOn(tables: string[]) {
    const streamId = world.streamId();
    const schemaIds = tables.map((table) => `public.${table}`);
    const started = await world.capture.start(context(), { streamId, schemaIds });
    await started.snapshot.release();
    const streamFrom = async (from: string, maxChanges = 1000) =>
      world.capture.stream(context(), { streamId, schemaIds, from, stopAtCurrent: true, maxChanges });
    return { streamId, position: started.position, streamFrom };
  }

  async function readTable(table: string): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const batch of world.connection.bulkSource!.read(context(), { schemaId: `public.${table}` }))
      rows.push(...batch);
    return rows;
  }

  test('streams inserts, updates and deletes committed after start, in order, with positions at commits', async () => {
    await world.sql.query('create table basic (id int primary key, name text)');
    const { streamId, position, streamFrom } = await startOn(['basic']);
    await world.sql.query("insert into basic values (1, 'a'), (2, 'b')");
    await world.sql.query("update basic set name = 'B' where id = 2");
    await world.sql.query('delete from basic where id = 1');
    await world.sql.query('update basic set id = 3 where id = 2');
    const batches = await drain(await streamFrom(position));
    assert.deepEqual(rowChanges(batches), [
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 1, name: 'a' } },
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 2, name: 'b' } },
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 2, name: 'B' } },
      { kind: 'delete', schemaId: 'public.basic', key: { id: 1 } },
      // A key that moves deletes the old key.
      { kind: 'delete', schemaId: 'public.basic', key: { id: 2 } },
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 3, name: 'B' } },
    ]);
    assert.ok(batches.at(-1)?.position, 'the last batch ends at a commit');
    assert.ok(batches.at(-1)?.committedAt instanceof Date);
    // Restarting from the last position repeats nothing.
    const last = batches.at(-1)?.position as string;
    assert.deepEqual(rowChanges(await drain(await streamFrom(last))), []);
    await world.capture.drop(context(), streamId);
  });

  test('a streamed row equals the row BulkSource.read gives, for every common column type', async () => {
    await world.sql.query(`create table typed (
      id int primary key, big bigint, amount numeric(20,6), label text, flag boolean, at timestamptz,
      naive timestamp, day date, doc jsonb, bin bytea, uid uuid, tags text[], counts int[], ratio double precision,
      clock time, span interval, empty text)`);
    const { streamId, position, streamFrom } = await startOn(['typed']);
    await world.sql.query(`insert into typed values
      (1, 9007199254740993, 12345678901234.123456, 'héllo ''quoted'' \\ back', true, '2024-03-01 12:34:56.789012+02',
       '2024-03-01 12:34:56.5', '2024-02-29', '{"a": [1, 2.5, null], "b": {"c": "d"}}', '\\x00ff10',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"x", "y z", null}', '{1,2,3}', 0.1, '13:14:15', '1 day 02:00', null),
      (2, null, null, null, false, null, null, null, '[]', null, null, '{}', null, null, null, null, null)`);
    const streamed = rowChanges(await drain(await streamFrom(position))).map((change) => {
      assert.equal(change.kind, 'upsert');
      return (change as Extract<Change, { kind: 'upsert' }>).row;
    });
    assert.deepEqual(streamed, await readTable('typed'));
    assert.equal(streamed[0]?.big, '9007199254740993');
    assert.ok(Buffer.isBuffer(streamed[0]?.bin));
    await world.capture.drop(context(), streamId);
  });

  test('10,000 mixed changes in several transactions replay to the source table, deletes included', async () => {
    await world.sql.query('create table mixed (id int primary key, n int not null, note text)');
    await world.sql.query("insert into mixed select g, 0, 'seed' from generate_series(1, 500) as g");
    const { streamId, position, streamFrom } = await startOn(['mixed']);
    const table = new Map<string, Row>((await readTable('mixed')).map((row) => [String(row.id), row]));
    // One large transaction (4,000 changes), then many small ones, with updates and deletes throughout.
    await world.sql.query(`begin;
      insert into mixed select g, 1, 'big ' || g from generate_series(501, 3000) as g;
      update mixed set n = n + 1, note = 'touched' where id % 3 = 0 and id <= 3000;
      delete from mixed where id % 7 = 0 and id <= 1500;
      commit`);
    let changes = 0;
    for (let round = 0; round < 60; round++) {
      const base = 3000 + round * 50;
      await world.sql.query(`begin;
        insert into mixed select g, ${round}, null from generate_series(${base + 1}, ${base + 50}) as g;
        update mixed set n = n + 10 where id between ${base - 40} and ${base};
        delete from mixed where id between ${base - 60} and ${base - 55};
        commit`);
      changes += 96;
    }
    await world.sql.query('update mixed set note = null where id % 11 = 0');
    const batches = await drain(await streamFrom(position, 500));
    const streamed = rowChanges(batches);
    assert.ok(streamed.length >= 10_000, `${streamed.length} changes streamed (${changes} in small transactions)`);
    assert.ok(batches.every((batch) => batch.changes.length <= 500));
    applyChanges(table, streamed, (row) => String(row.id));
    const source = await readTable('mixed');
    assert.equal(table.size, source.length);
    for (const row of source) assert.deepEqual(table.get(String(row.id)), row);
    await world.capture.drop(context(), streamId);
  });

  test('stopAtCurrent ends under a steady writer, having delivered everything committed before the call', {
    timeout: 60_000,
  }, async () => {
    await world.sql.query('create table steady (id int primary key)');
    const { streamId, position, streamFrom } = await startOn(['steady']);
    let nextId = 1;
    let writing = true;
    // 50 rows per commit every 10 ms at most: faster than the consumer below, and bounded, so that what was
    // committed before the call stays a few thousand rows however quickly this machine inserts.
    const writer = (async () => {
      while (writing) {
        await world.sql.query(`insert into steady select generate_series(${nextId}, ${nextId + 49})`);
        nextId += 50;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const committedBefore = nextId - 1;
    const stream = await streamFrom(position, 10);
    const ids = new Set<unknown>();
    try {
      for await (const batch of stream) {
        for (const change of batch.changes) if (change.kind === 'upsert') ids.add(change.row.id);
        if (batch.position) await stream.confirm(batch.position);
        // A consumer slower than the writer: 10 changes per 10 ms against its 50.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await stream.close();
      writing = false;
      await writer;
    }
    for (let id = 1; id <= committedBefore; id++) assert.ok(ids.has(id), `row ${id} was committed before the call`);
    assert.ok(nextId - 1 > ids.size, 'the writer was still ahead of the stream when it stopped');
    await world.capture.drop(context(), streamId);
  });

  test('an update that leaves a TOASTed value alone lists it as unchanged, never null', async () => {
    await world.sql.query('create table toasted (id int primary key, body text, n int)');
    // Random text does not compress, so it is stored out of line (TOAST).
    await world.sql.query(
      "insert into toasted select 1, string_agg(md5(random()::text), '') from generate_series(1, 1000)",
    );
    const { streamId, position, streamFrom } = await startOn(['toasted']);
    await world.sql.query('update toasted set n = 5 where id = 1');
    const [change] = rowChanges(await drain(await streamFrom(position)));
    assert.deepEqual(change, { kind: 'upsert', schemaId: 'public.toasted', row: { id: 1, n: 5 }, unchanged: ['body'] });
    await world.capture.drop(context(), streamId);
  });

  test('truncate streams, and a new column is a schema change before the rows that carry it', async () => {
    await world.sql.query('create table evolving (id int primary key, a text)');
    await world.sql.query("insert into evolving values (1, 'one')");
    const { streamId, position, streamFrom } = await startOn(['evolving']);
    await world.sql.query("insert into evolving values (2, 'two')");
    await world.sql.query('truncate evolving');
    await world.sql.query('alter table evolving add column b numeric(10,2)');
    await world.sql.query("insert into evolving values (3, 'three', 3.5)");
    const changes = (await drain(await streamFrom(position))).flatMap((batch) => batch.changes);
    const kinds = changes.map((change) => change.kind);
    assert.deepEqual(kinds, ['schema', 'upsert', 'truncate', 'schema', 'upsert']);
    const grown = changes[3] as Extract<Change, { kind: 'schema' }>;
    assert.deepEqual(
      grown.fields.map((field) => [field.id, field.type, field.remote_type, field.is_primary_key]),
      [
        ['id', 'number', 'integer', true],
        ['a', 'string', 'text', false],
        ['b', 'number', 'numeric(10,2)', false],
      ],
    );
    assert.deepEqual(changes[4], {
      kind: 'upsert',
      schemaId: 'public.evolving',
      row: { id: 3, a: 'three', b: '3.50' },
    });
    await world.capture.drop(context(), streamId);
  });

  test('a table with REPLICA IDENTITY FULL and no key deletes and updates by the whole old row', async () => {
    await world.sql.query('create table keyless (a int, b text)');
    await world.sql.query('alter table keyless replica identity full');
    const { streamId, position, streamFrom } = await startOn(['keyless']);
    await world.sql.query("insert into keyless values (1, 'x')");
    await world.sql.query("update keyless set b = 'y'");
    await world.sql.query('delete from keyless');
    assert.deepEqual(rowChanges(await drain(await streamFrom(position))), [
      { kind: 'upsert', schemaId: 'public.keyless', row: { a: 1, b: 'x' } },
      { kind: 'delete', schemaId: 'public.keyless', key: { a: 1, b: 'x' } },
      { kind: 'upsert', schemaId: 'public.keyless', row: { a: 1, b: 'y' } },
      { kind: 'delete', schemaId: 'public.keyless', key: { a: 1, b: 'y' } },
    ]);
    await world.capture.drop(context(), streamId);
  });

  test('a 100,000-row transaction comes in bounded batches, with a position only on the last', async () => {
    await world.sql.query('create table huge (id int primary key, payload text)');
    const { streamId, position, streamFrom } = await startOn(['huge']);
    await world.sql.query("insert into huge select g, repeat('x', 100) from generate_series(1, 100000) as g");
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const stream = await streamFrom(position, 1000);
    const batches: Pick<ChangeBatch, 'position'>[] = [];
    let rows = 0;
    try {
      for await (const batch of stream) {
        assert.ok(batch.changes.length <= 1000);
        rows += batch.changes.filter((change) => change.kind === 'upsert').length;
        batches.push({ position: batch.position });
        if (batches.length % 10 === 0) {
          collectGarbage();
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
        if (batch.position) await stream.confirm(batch.position);
      }
    } finally {
      await stream.close();
    }
    assert.equal(rows, 100_000);
    assert.ok(batches.length >= 100);
    assert.ok(
      batches.slice(0, -1).every((batch) => batch.position === undefined),
      'no position mid-transaction',
    );
    assert.ok(batches.at(-1)?.position);
    // What stays reachable: 100,000 decoded rows held at once would be about 30 MB; a batch of 1,000 is under 1 MB.
    const growth = peak - heapBefore;
    assert.ok(growth < 12 * 1024 * 1024, `the retained heap grew ${(growth / 1024 / 1024).toFixed(1)} MB`);
    await world.capture.drop(context(), streamId);
  });
});
