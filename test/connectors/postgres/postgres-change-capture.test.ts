// The PostgreSQL change-capture lifecycle: the snapshot seam under concurrent writes, confirm and lag, drop and list,
// requirements, and cancel.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { ChangeBatch } from '../../../src/connectors/change-capture.ts';
import { ConnectorError } from '../../../src/connectors/connector-error.ts';
import { createPostgresChangeCapture } from '../../../src/connectors/postgres/postgres-change-capture.ts';
import { parseLsn } from '../../../src/connectors/postgres/postgres-lsn.ts';
import type { Row } from '../../../src/connectors/records.ts';
import { createFakeClock } from '../../kit/fake-clock.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { postgresAdminUrl, postgresUnavailable } from '../../kit/services.ts';
import {
  applyChanges,
  type CaptureWorld,
  context,
  createCaptureWorld,
  drain,
  rowChanges,
} from './change-capture-fixture.ts';

const skip = await postgresUnavailable();

describe('PostgreSQL change capture', { skip }, () => {
  let world: CaptureWorld;
  before(async () => {
    world = await createCaptureWorld();
  });
  after(async () => {
    await world?.cleanup();
  });

  const slotState = async (slot: string) =>
    (
      await world.sql.query<{ active: boolean; confirmed: string }>(
        'select active, confirmed_flush_lsn::text as confirmed from pg_replication_slots where slot_name = $1',
        [slot],
      )
    ).rows[0];

  test('the snapshot seam: a copy inside the snapshot plus the stream from its position is the source, exactly', async () => {
    // Every write bumps `version`, so a lost change shows as a gap and a doubled one as a repeat.
    await world.sql.query('create table seam (id int primary key, version int not null, note text)');
    await world.sql.query("insert into seam select g, 1, 'seed' from generate_series(1, 2000) as g");
    let nextId = 2001;
    let writing = true;
    const writer = (async () => {
      while (writing) {
        const id = nextId++;
        const old = 1 + Math.floor(Math.random() * (id - 1));
        await world.sql.query(`begin;
          insert into seam values (${id}, 1, 'new');
          update seam set version = version + 1, note = 'updated' where id = ${old};
          delete from seam where id = ${old - 7};
          commit`);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.seam'] });
    const atStart = nextId;
    const copy = new Map<string, Row>();
    for await (const batch of world.connection.bulkSource!.read(context(), {
      schemaId: 'public.seam',
      sourceSnapshot: started.snapshot.id,
      batchSize: 200,
    })) {
      for (const row of batch) copy.set(String(row.id), row);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const afterCopy = nextId;
    writing = false;
    await writer;
    await started.snapshot.release();
    assert.ok(afterCopy - atStart >= 5, `the writer committed ${afterCopy - atStart} transactions during the copy`);

    const table = new Map(copy);
    const batches = await drain(
      await world.capture.stream(context(), {
        streamId,
        schemaIds: ['public.seam'],
        from: started.position,
        stopAtCurrent: true,
        maxChanges: 250,
      }),
    );
    for (const change of rowChanges(batches)) {
      if (change.kind !== 'upsert') continue;
      const id = String(change.row.id);
      const before = table.get(id);
      const expected = before ? (before.version as number) + 1 : 1;
      assert.equal(change.row.version, expected, `row ${id}: version ${change.row.version} follows ${before?.version}`);
      table.set(id, change.row);
    }
    applyChanges(table, rowChanges(batches), (row) => String(row.id));
    const source = (await world.sql.query('select * from seam')).rows;
    assert.equal(table.size, source.length);
    for (const row of source) assert.deepEqual(table.get(String(row.id)), row);
    await world.capture.drop(context(), streamId);
  });

  test('a direct copy inside the snapshot copies the rows as they were at the slot', async () => {
    await world.sql.query('create table copied (id int primary key, n int)');
    await world.sql.query('create table copied_target (id int primary key, n int)');
    await world.sql.query('insert into copied select g, g from generate_series(1, 300) as g');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.copied'] });
    await world.sql.query('insert into copied select g, g from generate_series(301, 400) as g');
    await world.sql.query('update copied set n = -1');
    const copy = world.connection.directCopy!.to(world.open())!;
    await copy.copy(
      context(),
      {
        sourceSchemaId: 'public.copied',
        destinationSchemaId: 'public.copied_target',
        fields: ['id', 'n'].map((id) => ({ sourceId: id, destinationId: id })),
        writeMode: 'upsert',
        destinationPrimaryKey: ['id'],
        destinationFresh: true,
        cursor: { field: 'id' },
        chunkSize: 70,
        sourceSnapshot: started.snapshot.id,
      },
      async () => {},
    );
    await started.snapshot.release();
    const { rows } = await world.sql.query('select count(*)::int as count, sum(n)::int as total from copied_target');
    assert.deepEqual(rows[0], { count: 300, total: (300 * 301) / 2 });
    await world.capture.drop(context(), streamId);
  });

  test('confirm advances the slot, lag counts bytes, drop leaves no slot and no publication of Ferry', async () => {
    await world.sql.query('create table confirmed (id int primary key)');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.confirmed'] });
    await started.snapshot.release();
    assert.deepEqual(await world.capture.list(context(), streamId), [streamId]);
    assert.deepEqual(await world.capture.list(context(), 'not_ferry_'), []);
    await world.sql.query('insert into confirmed select generate_series(1, 5000)');
    const behind = await world.capture.lag(context(), streamId);
    assert.ok(behind && behind.bytesBehind > 5000 * 20, `lag ${behind?.bytesBehind} bytes`);

    const stream = await world.capture.stream(context(), {
      streamId,
      schemaIds: ['public.confirmed'],
      from: started.position,
      stopAtCurrent: true,
      maxChanges: 10_000,
    });
    const batches = await drain(stream, { confirm: false });
    const position = batches.at(-1)?.position as string;
    // Quiet stretches of the log may be confirmed for the engine, but never the transaction it has not confirmed.
    const unconfirmed = parseLsn((await slotState(streamId))?.confirmed ?? '0/0');
    assert.ok(unconfirmed < parseLsn(position), 'the slot stays before the unconfirmed transaction');
    const again = await world.capture.stream(context(), {
      streamId,
      schemaIds: ['public.confirmed'],
      from: started.position,
      stopAtCurrent: false,
      maxChanges: 10_000,
    });
    await again.confirm(position);
    await waitFor(async () => (await slotState(streamId))?.confirmed === position, 'confirmed_flush_lsn moves');
    await again.close();
    // The server's log keeps growing (other databases write too): lag is measured from the confirmed position.
    const lagNow = (await world.capture.lag(context(), streamId))?.bytesBehind ?? Number.POSITIVE_INFINITY;
    const { rows } = await world.sql.query<{ behind: string }>(
      'select pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint::text as behind',
      [position],
    );
    assert.ok(lagNow <= Number(rows[0]?.behind), `lag ${lagNow} is counted from the confirmed position`);

    await world.capture.drop(context(), streamId);
    assert.equal(await slotState(streamId), undefined);
    const publications = await world.sql.query('select 1 from pg_publication where pubname = $1', [streamId]);
    assert.equal(publications.rowCount, 0);
    assert.equal(await world.capture.lag(context(), streamId), undefined);
    await world.capture.drop(context(), streamId); // a missing stream is no error
  });

  test('a named publication is used and kept; a missing one is named in the error', async () => {
    await world.sql.query('create table published (id int primary key, n int)');
    await world.sql.query('create table unpublished (id int primary key)');
    await world.sql.query('create publication users_pub for table published');
    const named = world.open({ publication: 'users_pub' }).changeCapture!;
    const streamId = world.streamId();
    const started = await named.start(context(), { streamId, schemaIds: ['public.published'] });
    await started.snapshot.release();
    await world.sql.query('insert into published values (1, 1)');
    const changes = rowChanges(
      await drain(
        await named.stream(context(), {
          streamId,
          schemaIds: ['public.published'],
          from: started.position,
          stopAtCurrent: true,
          maxChanges: 10,
        }),
      ),
    );
    assert.deepEqual(changes, [{ kind: 'upsert', schemaId: 'public.published', row: { id: 1, n: 1 } }]);
    await assert.rejects(named.start(context(), { streamId: world.streamId(), schemaIds: ['public.unpublished'] }), {
      message: /users_pub.*public\.unpublished/,
    });
    await assert.rejects(
      named.stream(context(), {
        streamId,
        schemaIds: ['public.published', 'public.unpublished'],
        from: started.position,
        stopAtCurrent: true,
        maxChanges: 10,
      }),
      { code: 'invalid_configuration', message: /does not publish public\.unpublished/ },
    );
    await named.drop(context(), streamId);
    const kept = await world.sql.query("select 1 from pg_publication where pubname = 'users_pub'");
    assert.equal(kept.rowCount, 1, "the user's publication stays");

    const missing = world.open({ publication: 'no_such_pub' }).changeCapture!;
    await assert.rejects(missing.start(context(), { streamId: world.streamId(), schemaIds: ['public.published'] }), {
      message: /no_such_pub/,
    });
  });

  test('check names a keyless table without REPLICA IDENTITY FULL, and the fix', async () => {
    await world.sql.query('create table no_key (a int)');
    const requirements = await world.capture.check(context(), ['public.no_key']);
    const identity = requirements.find((requirement) => requirement.name === 'replica_identity:public.no_key');
    assert.equal(identity?.ok, false);
    assert.match(identity?.message ?? '', /public\.no_key.*ALTER TABLE "public"\."no_key" REPLICA IDENTITY FULL/);
    for (const name of ['wal_level', 'replication_role', 'max_replication_slots', 'max_wal_senders', 'publication'])
      assert.equal(requirements.find((requirement) => requirement.name === name)?.ok, true, name);
    assert.match(requirements.find((requirement) => requirement.name === 'wal_sender_timeout')?.message ?? '', /ms/);
    const refused = world.streamId();
    await assert.rejects(world.capture.start(context(), { streamId: refused, schemaIds: ['public.no_key'] }), {
      message: /REPLICA IDENTITY FULL/,
    });
    assert.deepEqual(await world.capture.list(context(), refused), [], 'a refused start leaves no slot');
    await world.sql.query('alter table no_key replica identity full');
    const fixed = await world.capture.check(context(), ['public.no_key']);
    assert.equal(fixed.find((requirement) => requirement.name === 'replica_identity:public.no_key')?.ok, true);
  });

  test('a role without REPLICATION fails check and the connection test, naming the requirement', async () => {
    const role = `ferry_norepl_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    try {
      await admin.query(`create role ${role} login`);
      const connection = world.open({ username: role });
      const requirements = await connection.changeCapture!.check(context());
      const replication = requirements.find((requirement) => requirement.name === 'replication_role');
      assert.equal(replication?.ok, false);
      assert.match(replication?.message ?? '', new RegExp(`${role}.*REPLICATION`));
      const tested = await connection.test(context());
      assert.equal(tested.ok, false);
      assert.match(tested.ok ? '' : tested.message, /REPLICATION/);
      await connection.close();
      const plain = world.open({ username: role, change_detection: false });
      assert.equal(plain.changeCapture, undefined);
      assert.deepEqual(await plain.test(context()), { ok: true });
      await plain.close();
    } finally {
      await admin.query(`drop role if exists ${role}`).catch(() => {});
      await admin.end();
    }
  });

  test('writes to tables outside the stream do not pin the log once the engine has confirmed', async () => {
    await world.sql.query('create table quiet (id int primary key)');
    await world.sql.query('create table noisy (id int primary key, pad text)');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.quiet'] });
    await started.snapshot.release();
    await world.sql.query("insert into noisy select g, repeat('x', 200) from generate_series(1, 5000) as g");
    const { rows } = await world.sql.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
    const batches = await drain(
      await world.capture.stream(context(), {
        streamId,
        schemaIds: ['public.quiet'],
        from: started.position,
        stopAtCurrent: true,
        maxChanges: 100,
      }),
    );
    assert.deepEqual(rowChanges(batches), []);
    const confirmed = parseLsn((await slotState(streamId))?.confirmed ?? '0/0');
    assert.ok(confirmed >= parseLsn(rows[0]?.lsn ?? '0/0'), 'the slot moved past the unrelated writes');
    await world.capture.drop(context(), streamId);
  });

  test('status updates go out on the clock, well inside wal_sender_timeout, and a missing slot is named', async () => {
    await world.sql.query('create table ticking (id int primary key)');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.ticking'] });
    await started.snapshot.release();
    const clock = createFakeClock('2030-01-01T00:00:00Z');
    const ticking = createPostgresChangeCapture(world.connection.client, world.connection.configuration, clock);
    const stream = await ticking.stream(context(), {
      streamId,
      schemaIds: ['public.ticking'],
      from: started.position,
      stopAtCurrent: false,
      maxChanges: 10,
    });
    const iterating = (async () => {
      for await (const _batch of stream);
    })();
    const replyTime = async () =>
      (
        await world.sql.query<{ reply_time: string | null }>(
          `select r.reply_time::text as reply_time from pg_stat_replication r
           join pg_replication_slots s on s.active_pid = r.pid where s.slot_name = $1`,
          [streamId],
        )
      ).rows[0]?.reply_time;
    await waitFor(async () => (await world.sql.query('select 1 from pg_stat_replication')).rowCount !== 0, 'streaming');
    await clock.advance(10_000);
    await waitFor(async () => (await replyTime())?.startsWith('2030-01-01 00:00:10') ?? false, 'a status update');
    await stream.close();
    await iterating;
    await assert.rejects(
      ticking.stream(context(), {
        streamId: 'ferry_test_missing',
        schemaIds: [],
        from: '0/0',
        stopAtCurrent: true,
        maxChanges: 1,
      }),
      { code: 'object_missing', message: /ferry_test_missing/ },
    );
    await world.capture.drop(context(), streamId);
  });

  test('drop() ends the walsender streaming from the slot; that stream fails as retryable', async () => {
    await world.sql.query('create table dropped (id int primary key)');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.dropped'] });
    await started.snapshot.release();
    const stream = await world.capture.stream(context(), {
      streamId,
      schemaIds: ['public.dropped'],
      from: started.position,
      stopAtCurrent: false,
      maxChanges: 10,
    });
    const ended = (async () => {
      for await (const _batch of stream);
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(async () => (await slotState(streamId))?.active === true, 'the stream holds the slot');
    await world.capture.drop(context(), streamId);
    assert.equal(await slotState(streamId), undefined);
    const error = await ended;
    assert.ok(error instanceof ConnectorError && error.retryable, `the stream failed retryable: ${error}`);
    await stream.close();
  });

  test('a continuous stream ends promptly on abort and lets go of the slot', async () => {
    await world.sql.query('create table canceled (id int primary key)');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.canceled'] });
    await started.snapshot.release();
    await world.sql.query('insert into canceled values (1)');
    const run = createMockRunContext();
    const stream = await world.capture.stream(run, {
      streamId,
      schemaIds: ['public.canceled'],
      from: started.position,
      stopAtCurrent: false,
      maxChanges: 10,
    });
    const seen: ChangeBatch[] = [];
    let abortedAt = 0;
    await assert.rejects(
      (async () => {
        for await (const batch of stream) {
          seen.push(batch);
          abortedAt = Date.now();
          run.abort();
        }
      })(),
      (error: unknown) => error instanceof ConnectorError && error.code === 'canceled',
    );
    assert.ok(Date.now() - abortedAt < 1000, 'the stream ended within a second of the abort');
    assert.equal(rowChanges(seen).length, 1);
    await waitFor(async () => (await slotState(streamId))?.active === false, 'the slot is released');
    await world.capture.drop(context(), streamId);
  });
});

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
