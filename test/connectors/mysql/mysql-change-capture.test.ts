// Change capture end to end against MariaDB's binlog: the initial snapshot meets the stream exactly while writes
// run, 10,000 mixed changes reproduce the source row by row, and resuming from any batch position delivers exactly
// the transactions after it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ChangeBatch } from '../../../src/connectors/change-capture.ts';
import { mysqlUnavailable } from '../../kit/services.ts';
import {
  AppliedTables,
  byId,
  type CaptureFixture,
  context,
  openCaptureFixture,
  readAll,
  streamToEnd,
} from './mysql-change-capture-kit.ts';

const unavailable = await mysqlUnavailable();

/** A deterministic pseudo-random sequence, so a failure replays. */
function randomSequence(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

describe('MySQL change capture', { skip: unavailable }, () => {
  let fixture: CaptureFixture;
  before(async () => {
    fixture = await openCaptureFixture();
  });
  after(async () => {
    await fixture?.close();
  });

  test('the snapshot copy and the stream from its position meet exactly while a writer runs', async () => {
    await fixture.native.query(
      'create table seam (id int primary key, n int, note varchar(30)); insert into seam select seq, seq, concat("v", seq) from seq_1_to_3000',
    );
    const schemaId = fixture.schemaId('seam');
    let writing = true;
    let writes = 0;
    const next = randomSequence(7);
    // A second connection keeps inserting, updating and deleting while the snapshot is opened and copied.
    const writer = (async () => {
      const mysql = await import('mysql2/promise');
      const connection = await mysql.createConnection({ uri: fixture.database.url, multipleStatements: true });
      try {
        while (writing) {
          const id = 1 + next(4000);
          const statements = [
            `insert into seam values (${id}, 0, 'new') on duplicate key update n = n + 1`,
            `update seam set note = concat(note, '+') where id = ${1 + next(4000)}`,
            `delete from seam where id = ${1 + next(4000)}`,
          ];
          await connection.query(`begin; ${statements.join('; ')}; commit`);
          writes += 1;
        }
      } finally {
        await connection.end();
      }
    })();
    let writerFailed: unknown;
    writer.catch((error: unknown) => {
      writerFailed = error;
    });
    const writesReach = async (count: number) => {
      while (writes < count) {
        if (writerFailed) throw writerFailed;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // The snapshot opens while the writer runs, and the copy runs while it goes on writing.
    await writesReach(5);
    const start = await fixture.capture.start(context(), { streamId: 'ferry_seam', schemaIds: [schemaId] });
    const writesAtStart = writes;
    await writesReach(writesAtStart + 20);
    const applied = new AppliedTables({ [schemaId]: ['id'] });
    // Two reads on the held snapshot at once: they take turns on its connection, and both see the snapshot.
    const [copy, again] = await Promise.all([
      readAll(fixture.connection, schemaId, start.snapshot.id),
      readAll(fixture.connection, schemaId, start.snapshot.id),
    ]);
    await start.snapshot.release();
    assert.deepEqual(byId(copy), byId(again));
    applied.load(schemaId, copy);
    writing = false;
    await writer;
    assert.ok(
      writes - writesAtStart >= 20,
      `the writer ran after the snapshot opened (${writes - writesAtStart} transactions)`,
    );
    for (const batch of await streamToEnd(fixture.capture, { from: start.position, schemaIds: [schemaId] }))
      applied.apply(batch.changes);
    assert.deepEqual(applied.rows(schemaId, 'id'), byId(await readAll(fixture.connection, schemaId)));
  });

  test('10,000 mixed changes reproduce the source row by row, and every batch position resumes exactly', async () => {
    await fixture.native.query(`create table mixed (id int primary key, n bigint, label varchar(40), at datetime(6));
      create table txlog (seq int primary key)`);
    const mixed = fixture.schemaId('mixed');
    const txlog = fixture.schemaId('txlog');
    const schemaIds = [mixed, txlog];
    const start = await fixture.capture.start(context(), { streamId: 'ferry_mixed', schemaIds });
    await start.snapshot.release();
    const next = randomSequence(42);
    let changes = 0;
    let transaction = 0;
    // Transactions of 1 to 60 statements; each also logs its sequence number, to see gaps and repeats on resume.
    while (changes < 10_000) {
      transaction += 1;
      const statements = [`insert into txlog values (${transaction})`];
      for (let count = 1 + next(60); count > 0; count -= 1) {
        const id = 1 + next(800);
        const choice = next(10);
        if (choice < 5)
          statements.push(
            `insert into mixed values (${id}, ${next(1_000_000)}, 'l${next(99)}', '2024-01-01 00:00:00.${next(999_999)}') on duplicate key update n = values(n), label = values(label)`,
          );
        else if (choice < 8) statements.push(`update mixed set n = n * 2 + 1, label = 'u${next(99)}' where id = ${id}`);
        else statements.push(`delete from mixed where id = ${id}`);
      }
      const [results] = await fixture.native.query(`begin; ${statements.join('; ')}; commit`);
      // Only statements that changed a row count (an update or delete may find none).
      changes += (results as { affectedRows?: number }[]).filter((result) => (result.affectedRows ?? 0) > 0).length;
    }
    const batches = await streamToEnd(fixture.capture, { from: start.position, schemaIds, maxChanges: 250 });
    const applied = new AppliedTables({ [mixed]: ['id'], [txlog]: ['seq'] });
    for (const batch of batches) applied.apply(batch.changes);
    assert.deepEqual(applied.rows(mixed, 'id'), byId(await readAll(fixture.connection, mixed)));
    assert.equal(applied.rows(txlog, 'seq').length, transaction);
    assert.ok(batches.every((batch) => batch.changes.length <= 250));
    const streamed = batches.flatMap((batch) => batch.changes).filter((change) => change.schemaId === mixed);
    assert.equal(streamed.length, changes - transaction, `${streamed.length} row changes streamed`);
    assert.ok(streamed.some((change) => change.kind === 'delete'));

    // Resume from positions in the middle: the transactions after each are delivered exactly once, in order.
    const logged = (list: ChangeBatch[]) =>
      list.flatMap((batch) =>
        batch.changes.flatMap((change) =>
          change.kind === 'upsert' && change.schemaId === txlog ? [change.row.seq] : [],
        ),
      );
    const positioned = batches.map((batch, index) => ({ batch, index })).filter(({ batch }) => batch.position);
    assert.ok(positioned.length > 10, 'many batches end at a transaction boundary');
    // Each position twice: as given (MariaDB resumes by GTID) and with file and offset only (servers without GTIDs).
    const { gtids, ...fileAndOffset } = JSON.parse(batches[1]!.position!) as Record<string, unknown>;
    assert.match(String(gtids), /^\d+-\d+-\d+/, 'MariaDB positions carry the GTID state');
    const resumes = [positioned[1]!, positioned[Math.floor(positioned.length / 2)]!].flatMap(({ batch, index }) => {
      const { gtids: _gtids, ...withoutGtids } = JSON.parse(batch.position!) as Record<string, unknown>;
      return [
        { index, from: batch.position! },
        { index, from: JSON.stringify(withoutGtids) },
      ];
    });
    assert.ok(fileAndOffset.file && fileAndOffset.offset);
    for (const { index, from } of resumes) {
      const seen = logged(batches.slice(0, index + 1));
      const resumed = await streamToEnd(fixture.capture, { from, schemaIds, maxChanges: 250 });
      const rest = logged(resumed);
      assert.deepEqual(
        rest,
        Array.from({ length: transaction - seen.length }, (_, offset) => seen.length + 1 + offset),
        `resuming after transaction ${seen.length} delivers ${seen.length + 1}…${transaction}`,
      );
      const replayed = new AppliedTables({ [mixed]: ['id'], [txlog]: ['seq'] });
      for (const batch of [...batches.slice(0, index + 1), ...resumed]) replayed.apply(batch.changes);
      assert.deepEqual(replayed.rows(mixed, 'id'), applied.rows(mixed, 'id'));
    }
  });

  test('lag is the binlog bytes after the last confirmed position', async () => {
    await fixture.native.query('create table lagging (id int primary key, pad longtext)');
    const schemaId = fixture.schemaId('lagging');
    const start = await fixture.capture.start(context(), { streamId: 'ferry_lag', schemaIds: [schemaId] });
    await start.snapshot.release();
    const before = await fixture.capture.lag(context(), 'ferry_lag');
    assert.ok(before && before.bytesBehind >= 0);
    await fixture.native.query("insert into lagging values (1, repeat('x', 1000000))");
    const behind = await fixture.capture.lag(context(), 'ferry_lag');
    assert.ok(behind && behind.bytesBehind - before.bytesBehind >= 1_000_000, `${behind?.bytesBehind} bytes behind`);
    const stream = await fixture.capture.stream(context(), {
      streamId: 'ferry_lag',
      schemaIds: [schemaId],
      from: start.position,
      stopAtCurrent: true,
      maxChanges: 10,
    });
    let last: string | undefined;
    for await (const batch of stream) last = batch.position ?? last;
    assert.ok(last);
    await stream.confirm(last);
    // Other sessions share the server's binlog: the lag lies between the log's end read just before and just after.
    const confirmed = JSON.parse(last) as { file: string; offset: number };
    const endNow = async () => {
      // Summed over the files, as another test may rotate the log meanwhile.
      const [files] = (await fixture.native.query('show binary logs')) as unknown as [
        { Log_name: string; File_size: number }[],
      ];
      const from = files.findIndex((file) => file.Log_name === confirmed.file);
      assert.ok(from >= 0);
      return files.slice(from).reduce((bytes, file) => bytes + Number(file.File_size), 0) - confirmed.offset;
    };
    const low = await endNow();
    const caughtUp = await fixture.capture.lag(context(), 'ferry_lag');
    const high = await endNow();
    assert.ok(
      caughtUp && caughtUp.bytesBehind >= low && caughtUp.bytesBehind <= high,
      `${caughtUp?.bytesBehind} bytes behind after confirm, between ${low} and ${high}`,
    );
    assert.equal(await fixture.capture.lag(context(), 'ferry_unknown'), undefined);
    assert.deepEqual(await fixture.capture.list(context(), 'ferry_'), []);
    await fixture.capture.drop(context(), 'ferry_lag');
    assert.equal(await fixture.capture.lag(context(), 'ferry_lag'), undefined);
    // A connection that has not streamed the stream (another process: the sync status) measures from the position
    // Ferry checkpointed, here the start, before the 1,000,000-byte row.
    const fromStored = await fixture.capture.lag(context(), 'ferry_lag', start.position);
    assert.ok(fromStored && fromStored.bytesBehind >= 1_000_000, `${fromStored?.bytesBehind} bytes behind the start`);
  });
});
