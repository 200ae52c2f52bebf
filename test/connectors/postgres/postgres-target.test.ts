// The PostgreSQL model target's staged batch path (COPY into a staging table, then one set-based statement): every
// operation writes what one record after another would, a bad record is rejected alone, repeated identities keep
// their order, and values of every kind arrive as sent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Connection, Row, TargetWriteRequest } from '../../../src/connectors/connector.ts';
import { createPostgresConnector } from '../../../src/connectors/postgres/postgres-connector.ts';
import { postgresTypeParsers } from '../../../src/connectors/postgres/postgres-types.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../../kit/services.ts';
import { postgresConfiguration } from '../postgres-configuration-fixture.ts';

const unavailable = await postgresUnavailable();

describe('postgres model target: staged batches', { skip: unavailable }, () => {
  let database: ScratchDatabase;
  let native: pg.Pool;
  let connection: Connection;

  before(async () => {
    database = await createPostgresDatabase('ferry_pg_target');
    native = new pg.Pool({ connectionString: database.url, max: 1, types: postgresTypeParsers });
    native.on('error', () => {});
    connection = createPostgresConnector().open(postgresConfiguration(database));
  });
  after(async () => {
    await connection?.close();
    await native?.end();
    await database?.drop();
  });

  /** Writes and returns the result with whether any batch went record by record. */
  const write = async (
    objectId: string,
    operation: TargetWriteRequest['operation'],
    records: Row[],
    identity = ['email'],
  ) => {
    const context = createMockRunContext();
    const result = await connection.modelTarget!.write(context, { objectId, operation, identity, records });
    const fellBack = context.lines.some((line) => line.message?.includes('record by record'));
    return { ...result, fellBack };
  };
  const rows = async (sql: string) => (await native.query(sql)).rows;

  test('each operation through the staging table: insert, upsert, update, delete, and upsert without a unique key', async () => {
    await native.query('create table modes (email text primary key, name text, score integer)');
    const inserted = await write('public.modes', 'insert', [
      { email: 'a@x.com', name: 'A', score: 1 },
      { email: 'b@x.com', name: 'B', score: 2 },
    ]);
    assert.deepEqual([inserted.inserted, inserted.rejected, inserted.fellBack], [2, [], false]);
    const upserted = await write('public.modes', 'upsert', [
      { email: 'b@x.com', name: 'B2', score: 20 },
      { email: 'c@x.com', name: 'C', score: 3 },
    ]);
    assert.deepEqual([upserted.inserted, upserted.updated, upserted.fellBack], [1, 1, false]);
    const updated = await write('public.modes', 'update', [
      { email: 'a@x.com', score: 10 },
      { email: 'nobody@x.com', score: 0 },
    ]);
    assert.deepEqual(
      [updated.updated, updated.rejected.map((rejection) => [rejection.index, rejection.code]), updated.fellBack],
      [1, [[1, 'record_not_found']], false],
    );
    // Only the identity: an existing record still counts as updated, a new one is inserted.
    const keysOnly = await write('public.modes', 'upsert', [{ email: 'a@x.com' }, { email: 'd@x.com' }]);
    assert.deepEqual([keysOnly.inserted, keysOnly.updated], [1, 1]);
    const deleted = await write('public.modes', 'delete', [{ email: 'c@x.com' }, { email: 'nobody@x.com' }]);
    assert.deepEqual([deleted.deleted, deleted.rejected.map((rejection) => rejection.index)], [1, [1]]);
    assert.deepEqual(await rows('select email, name, score from modes order by email'), [
      { email: 'a@x.com', name: 'A', score: 10 },
      { email: 'b@x.com', name: 'B2', score: 20 },
      { email: 'd@x.com', name: null, score: null },
    ]);

    // No unique key on the identity: update what matches (every matching row), insert the rest.
    await native.query('create table loose (id serial primary key, email text, name text)');
    await native.query(`insert into loose (email, name) values ('x@x.com', 'X1'), ('x@x.com', 'X2')`);
    const loose = await write('public.loose', 'upsert', [
      { email: 'x@x.com', name: 'X' },
      { email: 'y@x.com', name: 'Y' },
      { email: 'z@x.com', name: 'Z' },
    ]);
    assert.deepEqual([loose.inserted, loose.updated, loose.fellBack], [2, 1, false]);
    // Inserted in record order: the serial follows it.
    assert.deepEqual(await rows('select id, email, name from loose order by id'), [
      { id: 1, email: 'x@x.com', name: 'X' },
      { id: 2, email: 'x@x.com', name: 'X' },
      { id: 3, email: 'y@x.com', name: 'Y' },
      { id: 4, email: 'z@x.com', name: 'Z' },
    ]);
  });

  test('one bad record (too long, a check, not a number) is rejected alone with its reason; the rest commit', async () => {
    await native.query(
      'create table strict (email text primary key, name varchar(5) not null, score integer check (score >= 0))',
    );
    const records: Row[] = Array.from({ length: 30 }, (_, index) => ({
      email: `s${index}@x.com`,
      name: `n${index}`,
      score: index,
    }));
    records[4] = { ...records[4], name: 'far too long' };
    records[11] = { ...records[11], score: -1 };
    records[20] = { ...records[20], score: 'many' };
    const result = await write('public.strict', 'upsert', records);
    assert.equal(result.fellBack, true);
    assert.equal(result.inserted, 27);
    assert.deepEqual(
      result.rejected.map((rejection) => [rejection.index, rejection.code]),
      [
        [4, 'invalid_data'],
        [11, 'constraint_violation'],
        [20, 'invalid_data'],
      ],
    );
    assert.match(result.rejected[0]!.message, /too long/);
    assert.match(result.rejected[1]!.message, /check/);
    assert.match(result.rejected[2]!.message, /integer/);
    const written = await rows('select email from strict order by email');
    assert.equal(written.length, 27);
    assert.ok(!written.some((row) => ['s4@x.com', 's11@x.com', 's20@x.com'].includes(row.email)));
    // The next write, on the same connection and staging table, takes the staged path again.
    const next = await write('public.strict', 'upsert', [{ email: 's4@x.com', name: 'short', score: 4 }]);
    assert.deepEqual([next.inserted, next.fellBack], [1, false]);
  });

  test('repeated identities in one request: the later record wins, each round staged apart', async () => {
    await native.query('create table repeats (email text primary key, name text)');
    const result = await write('public.repeats', 'upsert', [
      { email: 'r@x.com', name: 'first' },
      { email: 'q@x.com', name: 'Q' },
      { email: 'r@x.com', name: 'second' },
      { email: 'r@x.com', name: 'third' },
    ]);
    assert.deepEqual([result.inserted, result.updated, result.rejected, result.fellBack], [2, 2, [], false]);
    assert.deepEqual(await rows('select email, name from repeats order by email'), [
      { email: 'q@x.com', name: 'Q' },
      { email: 'r@x.com', name: 'third' },
    ]);
    // An insert of a repeated key into a unique column: the second is rejected, the first written.
    const inserted = await write('public.repeats', 'insert', [
      { email: 'p@x.com', name: 'P1' },
      { email: 'p@x.com', name: 'P2' },
    ]);
    assert.deepEqual(
      [inserted.inserted, inserted.rejected.map((rejection) => [rejection.index, rejection.code])],
      [1, [[1, 'constraint_violation']]],
    );
    assert.deepEqual(await rows(`select name from repeats where email = 'p@x.com'`), [{ name: 'P1' }]);
  });

  test('values of every kind survive the COPY text: numeric, timestamps, json, booleans, nulls, escapes, arrays', async () => {
    await native.query(`create table kinds (
      email text primary key, amount numeric(20,6), big bigint, ratio double precision, at timestamptz, wall timestamp,
      day date, doc jsonb, plain json, flag boolean, note text, data bytea, tags text[], counts integer[])`);
    const awkward = 'tab\there\nnew line\r\\ back\\slash \\N "quoted" é 🚀';
    const records: Row[] = [
      {
        email: 'k1@x.com',
        amount: '12345678901234.123456',
        big: 9007199254740993n,
        ratio: 0.1,
        at: new Date('2024-03-04T05:06:07.891Z'),
        wall: '2024-03-04 05:06:07.5',
        day: '2024-02-29',
        doc: { text: awkward, list: [1, null, true], nested: { empty: '' } },
        plain: [awkward, 2],
        flag: true,
        note: awkward,
        data: Buffer.from([0, 9, 10, 13, 92, 255]),
        tags: ['a', awkward, '', 'NULL'],
        counts: [1, 2, 3],
      },
      {
        email: 'k2@x.com',
        amount: -0.5,
        big: '-42',
        ratio: -1e-10,
        at: '2024-03-04T05:06:07+02:00',
        wall: null,
        day: null,
        doc: 'a json string',
        plain: null,
        flag: false,
        note: '',
        data: null,
        tags: [],
        counts: null,
      },
      { email: 'k3@x.com' },
    ];
    const result = await write('public.kinds', 'upsert', records);
    assert.deepEqual([result.inserted, result.rejected, result.fellBack], [3, [], false]);
    const read =
      await rows(`select email, amount::text, big::text, ratio, to_char(at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') as at,
      wall::text, day::text, doc, plain::text, flag, note, encode(data, 'hex') as data, tags, counts from kinds order by email`);
    assert.deepEqual(read[0], {
      email: 'k1@x.com',
      amount: '12345678901234.123456',
      big: '9007199254740993',
      ratio: 0.1,
      at: '2024-03-04 05:06:07.891',
      wall: '2024-03-04 05:06:07.5',
      day: '2024-02-29',
      doc: { text: awkward, list: [1, null, true], nested: { empty: '' } },
      plain: JSON.stringify([awkward, 2]),
      flag: true,
      note: awkward,
      data: '00090a0d5cff',
      tags: ['a', awkward, '', 'NULL'],
      counts: [1, 2, 3],
    });
    assert.deepEqual(read[1], {
      email: 'k2@x.com',
      amount: '-0.500000',
      big: '-42',
      ratio: -1e-10,
      at: '2024-03-04 03:06:07.000',
      wall: null,
      day: null,
      doc: 'a json string',
      plain: null,
      flag: false,
      note: '',
      data: null,
      tags: [],
      counts: null,
    });
    assert.deepEqual(
      Object.entries(read[2]!).filter(([, value]) => value !== null),
      [['email', 'k3@x.com']],
    );
    // The same values as identity: an update matches them where they stand.
    const matched = await write('public.kinds', 'update', [{ note: awkward, flag: false }], ['note']);
    assert.deepEqual([matched.updated, matched.rejected, matched.fellBack], [1, [], false]);
    assert.deepEqual(await rows(`select flag from kinds where email = 'k1@x.com'`), [{ flag: false }]);
  });

  test('the catalog is kept for the connection: a column added by this target or by someone else is written', async () => {
    await native.query('create table growing (email text primary key, name text)');
    assert.equal((await write('public.growing', 'upsert', [{ email: 'g@x.com', name: 'G' }])).inserted, 1);
    await connection.modelTarget!.createField(createMockRunContext(), 'public.growing', {
      id: 'score',
      type: 'number',
      remote_type: 'integer',
    });
    const withScore = await write('public.growing', 'upsert', [{ email: 'g@x.com', name: 'G', score: 5 }]);
    assert.deepEqual([withScore.updated, withScore.rejected, withScore.fellBack], [1, [], false]);
    // Unknown to the kept catalog: that batch takes the shared statements, and the next write reads the catalog again.
    await native.query('alter table growing add column tier text');
    const withTier = await write('public.growing', 'upsert', [{ email: 'g@x.com', tier: 'pro' }]);
    assert.deepEqual([withTier.updated, withTier.rejected, withTier.fellBack], [1, [], false]);
    const again = await write('public.growing', 'upsert', [{ email: 'h@x.com', tier: 'free', score: 1 }]);
    assert.deepEqual([again.inserted, again.rejected, again.fellBack], [1, [], false]);
    assert.deepEqual(await rows('select email, name, score, tier from growing order by email'), [
      { email: 'g@x.com', name: 'G', score: 5, tier: 'pro' },
      { email: 'h@x.com', name: null, score: 1, tier: 'free' },
    ]);
  });
});
