// Streaming the MariaDB binlog: values decoded as table reads decode them, statements (TRUNCATE, ADD COLUMN),
// a transaction larger than a batch, and cancellation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Change } from '../../../src/connectors/change-capture.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { mysqlUnavailable } from '../../kit/services.ts';
import { type CaptureFixture, context, openCaptureFixture, readAll, streamToEnd } from './mysql-change-capture-kit.ts';

const unavailable = await mysqlUnavailable();

describe('MySQL change stream', { skip: unavailable }, () => {
  let fixture: CaptureFixture;
  before(async () => {
    fixture = await openCaptureFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  async function startAt(schemaIds: string[]): Promise<string> {
    const start = await fixture.capture.start(context(), { streamId: 'ferry_test', schemaIds });
    await start.snapshot.release();
    return start.position;
  }

  test('a streamed row equals the row a table read gives, for every column type', async () => {
    await fixture.native.query(`create table typed (
      id int primary key, big bigint, ubig bigint unsigned, amount decimal(30,6), name varchar(40), body text,
      flag tinyint(1), truth bool, happened datetime(6), plain datetime, stamped timestamp(6) null, day date,
      doc json, data blob, nothing varchar(5))`);
    const schemaId = fixture.schemaId('typed');
    const from = await startAt([schemaId]);
    await fixture.native.query(
      `insert into typed values
        (1, -9007199254740993, 18446744073709551615, -12345678901234.123456, 'héllo ☃', repeat('x', 3000), 1, false,
         '2024-02-29 23:59:59.123456', '1999-12-31 01:02:03', '2024-03-04 05:06:07.654321', '2024-05-06',
         '{"a": [1, 2.5, "three"], "b": null}', x'00ff10', null),
        (2, 0, 0, 0, '', '', 0, true, '1970-01-01 00:00:00', '2038-01-19 03:14:08', null, '1000-01-01', '[]', x'', 'n')`,
    );
    const batches = await streamToEnd(fixture.capture, { from, schemaIds: [schemaId] });
    const upserts = batches.flatMap((batch) => batch.changes).filter((change) => change.kind === 'upsert');
    assert.deepEqual(
      upserts.map((change) => change.row),
      (await readAll(fixture.connection, schemaId)).sort((a, b) => Number(a.id) - Number(b.id)),
    );
    const last = batches.at(-1);
    assert.ok(last?.position, 'the stream ends at a position');
    assert.ok(last.committedAt instanceof Date && Math.abs(last.committedAt.getTime() - Date.now()) < 60_000);
  });

  test('updates upsert the new row, deletes carry the key (the whole row without one), a key change deletes the old key', async () => {
    await fixture.native.query(
      'create table keyed (id int primary key, name varchar(20)); insert into keyed values (1, "a"), (2, "b")',
    );
    await fixture.native.query(
      'create table loose (n int, name varchar(20)); insert into loose values (1, "a"), (5, "e")',
    );
    const keyed = fixture.schemaId('keyed');
    const loose = fixture.schemaId('loose');
    const from = await startAt([keyed, loose]);
    await fixture.native.query(`update keyed set name = 'z' where id = 1; update keyed set id = 3 where id = 2;
      delete from keyed where id = 1; update loose set n = 2 where n = 5; delete from loose where n = 1`);
    const changes = (await streamToEnd(fixture.capture, { from, schemaIds: [keyed, loose] })).flatMap((b) => b.changes);
    assert.deepEqual(changes, [
      { kind: 'upsert', schemaId: keyed, row: { id: 1, name: 'z' } },
      { kind: 'delete', schemaId: keyed, key: { id: 2 } },
      { kind: 'upsert', schemaId: keyed, row: { id: 3, name: 'b' } },
      { kind: 'delete', schemaId: keyed, key: { id: 1 } },
      // Without a primary key the whole old row identifies the row: an update deletes it and upserts the new one.
      { kind: 'delete', schemaId: loose, key: { n: 5, name: 'e' } },
      { kind: 'upsert', schemaId: loose, row: { n: 2, name: 'e' } },
      { kind: 'delete', schemaId: loose, key: { n: 1, name: 'a' } },
    ]);
  });

  test('TRUNCATE becomes a truncate, ADD COLUMN a schema change before the rows that use it', async () => {
    await fixture.native.query('create table evolving (id int primary key, name varchar(20))');
    await fixture.native.query('create table untouched (id int primary key)');
    const schemaId = fixture.schemaId('evolving');
    const from = await startAt([schemaId]);
    await fixture.native.query(`insert into evolving values (1, 'a'); truncate table untouched; truncate evolving;
      insert into evolving values (2, 'b'); alter table \`${fixture.database.name}\`.evolving add column score int;
      insert into evolving values (3, 'c', 7)`);
    const changes = (await streamToEnd(fixture.capture, { from, schemaIds: [schemaId] })).flatMap((b) => b.changes);
    assert.deepEqual(
      changes.map((change) => change.kind),
      ['upsert', 'truncate', 'upsert', 'schema', 'upsert'],
    );
    const schema = changes[3] as Extract<Change, { kind: 'schema' }>;
    assert.deepEqual(
      schema.fields.map((field) => [field.id, field.type]),
      [
        ['id', 'number'],
        ['name', 'string'],
        ['score', 'number'],
      ],
    );
    assert.deepEqual(changes[4], { kind: 'upsert', schemaId, row: { id: 3, name: 'c', score: 7 } });
  });

  test('a 50,000-row transaction arrives in batches of at most maxChanges, with a position only at its end', async () => {
    await fixture.native.query('create table bulk (id int primary key, pad varchar(20))');
    const schemaId = fixture.schemaId('bulk');
    const from = await startAt([schemaId]);
    await fixture.native.query("insert into bulk select seq, concat('row ', seq) from seq_1_to_50000");
    // Batches without changes (other sessions' commits on the shared server) only move the position.
    const batches = (await streamToEnd(fixture.capture, { from, schemaIds: [schemaId], maxChanges: 1000 })).filter(
      (batch) => batch.changes.length > 0,
    );
    assert.equal(
      batches.reduce((total, batch) => total + batch.changes.length, 0),
      50_000,
    );
    assert.ok(batches.every((batch) => batch.changes.length <= 1000));
    assert.deepEqual(
      batches.map((batch) => batch.position !== undefined),
      batches.map((_, index) => index === batches.length - 1),
      'only the batch that ends the transaction has a position',
    );
  });

  test('a stream and its positions follow the log into the next file', async () => {
    await fixture.native.query('create table rotating (id int primary key)');
    const schemaId = fixture.schemaId('rotating');
    const start = await fixture.capture.start(context(), { streamId: 'ferry_rotate', schemaIds: [schemaId] });
    await start.snapshot.release();
    // Rotating the log changes no setting; files younger than the server's expiry stay.
    await fixture.native.query('insert into rotating values (1); flush binary logs; insert into rotating values (2)');
    const batches = await streamToEnd(fixture.capture, { from: start.position, schemaIds: [schemaId] });
    const rows = batches.flatMap((batch) => batch.changes).map((change) => change.kind === 'upsert' && change.row.id);
    assert.deepEqual(rows, [1, 2]);
    const last = JSON.parse(batches.at(-1)!.position!) as { file: string; offset: number; gtids?: string };
    assert.notEqual(
      last.file,
      (JSON.parse(start.position) as { file: string }).file,
      'the position is in the new file',
    );
    const behind = await fixture.capture.lag(context(), 'ferry_rotate');
    assert.ok(behind && behind.bytesBehind > 0, 'lag counts the rest of the old file and the new one');
    await fixture.native.query('insert into rotating values (3)');
    for (const from of [batches.at(-1)!.position!, JSON.stringify({ file: last.file, offset: last.offset })]) {
      const resumed = await streamToEnd(fixture.capture, { from, schemaIds: [schemaId] });
      assert.deepEqual(
        resumed.flatMap((batch) => batch.changes),
        [{ kind: 'upsert', schemaId, row: { id: 3 } }],
      );
    }
  });

  test('a continuous stream delivers transactions as they commit, each caught-up batch positioned; close() ends it', async () => {
    await fixture.native.query('create table live (id int primary key, n int)');
    const schemaId = fixture.schemaId('live');
    const from = await startAt([schemaId]);
    const stream = await fixture.capture.stream(context(), {
      streamId: 'ferry_live',
      schemaIds: [schemaId],
      from,
      stopAtCurrent: false,
      maxChanges: 50,
    });
    const writer = (async () => {
      for (let id = 1; id <= 200; id += 1)
        await fixture.native.query(
          `begin; insert into live values (${id}, 0); update live set n = 1 where id = ${id}; commit`,
        );
    })();
    const seen: unknown[] = [];
    let lastPosition: string | undefined;
    for await (const batch of stream) {
      assert.ok(batch.changes.length <= 50);
      for (const change of batch.changes) if (change.kind === 'upsert' && change.row.n === 1) seen.push(change.row.id);
      lastPosition = batch.position ?? lastPosition;
      if (seen.length === 200) {
        assert.ok(batch.position, 'the batch that catches up ends at a transaction boundary');
        await stream.close();
      }
    }
    await writer;
    assert.deepEqual(
      seen,
      Array.from({ length: 200 }, (_, index) => index + 1),
    );
    assert.ok(lastPosition);
    // Nothing after the last position (other sessions' commits on the shared server may still move it).
    const after = await streamToEnd(fixture.capture, { from: lastPosition, schemaIds: [schemaId] });
    assert.deepEqual(
      after.flatMap((batch) => batch.changes),
      [],
    );
  });

  test('rows that no longer match their table (a column dropped since) stop the stream instead of being skipped', async () => {
    await fixture.native.query('create table shrinking (id int primary key, gone int, kept int)');
    const schemaId = fixture.schemaId('shrinking');
    const from = await startAt([schemaId]);
    await fixture.native.query('insert into shrinking values (1, 2, 3); alter table shrinking drop column gone');
    const stream = await fixture.capture.stream(context(), {
      streamId: 'ferry_shrinking',
      schemaIds: [schemaId],
      from,
      stopAtCurrent: true,
      maxChanges: 100,
    });
    const positions: string[] = [];
    await assert.rejects(async () => {
      for await (const batch of stream) if (batch.position) positions.push(batch.position);
    }, /schema changed/);
    await stream.close();
    assert.deepEqual(positions, [], 'no position past the rows that could not be read');
  });

  test('a position the binlog no longer holds fails naming a new initial copy', async () => {
    const [[server]] = (await fixture.native.query('select @@server_id as id')) as unknown as [{ id: number }[]];
    for (const from of [
      // A purged file, and a GTID the log has not reached (as after a restore from an older backup).
      { file: 'ferry-purged-bin.000001', offset: 4 },
      { file: 'ferry-purged-bin.000001', offset: 4, gtids: `0-${server!.id}-999999999999` },
    ]) {
      const stream = await fixture.capture.stream(context(), {
        streamId: 'ferry_purged',
        schemaIds: [fixture.schemaId('typed')],
        from: JSON.stringify(from),
        stopAtCurrent: false,
        maxChanges: 10,
      });
      await assert.rejects(
        async () => {
          for await (const _batch of stream) {
          }
        },
        (error: Error & { code?: string }) => error.code === 'object_missing' && /new initial copy/.test(error.message),
      );
      await stream.close();
    }
  });

  test('an abort ends a continuous stream promptly with a canceled error', async () => {
    await fixture.native.query('create table ticking (id int primary key)');
    const schemaId = fixture.schemaId('ticking');
    const from = await startAt([schemaId]);
    await fixture.native.query('insert into ticking values (1)');
    const run = createMockRunContext();
    const stream = await fixture.capture.stream(run, {
      streamId: 'ferry_test',
      schemaIds: [schemaId],
      from,
      stopAtCurrent: false,
      maxChanges: 100,
    });
    let abortedAt = 0;
    await assert.rejects(
      async () => {
        for await (const batch of stream) {
          if (batch.changes.length > 0 && abortedAt === 0) {
            abortedAt = Date.now();
            setTimeout(() => run.abort(), 10);
          }
        }
      },
      (error: Error & { code?: string }) => error.code === 'canceled',
    );
    assert.ok(
      abortedAt > 0 && Date.now() - abortedAt < 5000,
      'ended within seconds of the abort (a busy CI machine included)',
    );
    await stream.close();
  });
});
