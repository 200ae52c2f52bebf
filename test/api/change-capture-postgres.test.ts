// Change capture PostgreSQL → PostgreSQL through the public API (a Ferry with its in-process worker): the snapshot
// then 10,000 mixed inserts, updates and deletes compared row by row (unchanged TOASTed values included); writes
// running during the snapshot copy; a table without a key; and the slot's life: dropped when the sync is deleted,
// when change capture is switched off on the connection, and when the connection is deleted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { changeStreamIdOf } from '../../src/engine/bulk/change-stream-id.ts';
import { postgresConfiguration } from './connection-data-kit.ts';
import {
  checkStatusFollowsTheStream,
  consoleMessages,
  createBulkSync,
  mixedChanges,
  createPostgresCdcWorld,
  runExecution,
  slotsNamed,
  statusWarnBytes,
  tableRows,
  type PostgresCdcWorld,
} from './change-capture-kit.ts';

const itemsTable = `create table items (id int primary key, v text, n int, doc text);
  insert into items select i, md5(i::text), i, null from generate_series(1, 2000) i;
  -- Large enough to be stored out of line (TOAST): an update that does not touch doc sends it as unchanged.
  update items set doc = (select string_agg(md5(random()::text || g::text), '') from generate_series(1, 300) g)
    where id % 20 = 0;`;
const columns = 'id, v, n, md5(doc) as doc';

describe('change capture PostgreSQL → PostgreSQL', { skip: await postgresUnavailable() }, () => {
  let ferry: TestFerry;
  const worlds: PostgresCdcWorld[] = [];
  const world = async (setupSql: string) => {
    const created = await createPostgresCdcWorld(ferry, setupSql);
    worlds.push(created);
    return created;
  };
  before(async () => {
    // The scheduler on: the continuous sync below is started by it (the others are manual).
    ferry = await startFerry('sqlite', {
      FERRY_SCHEDULER: 'true',
      FERRY_SCHEDULER_POLL_MS: '500',
      FERRY_CDC_LAG_WARN_BYTES: String(statusWarnBytes),
    });
  });
  after(async () => {
    // The server first, so no run holds a slot while the worlds drop theirs.
    await ferry?.close();
    for (const each of worlds) await each.cleanup();
  });

  test('10,000 mixed changes after the snapshot: the destination equals the source, deletes included', async () => {
    const w = await world(itemsTable);
    const syncId = await createBulkSync(ferry, w, ['public.items']);
    const first = await runExecution(ferry, syncId);
    assert.equal(first.status, 'completed', JSON.stringify(first));
    assert.deepEqual(
      await tableRows(w.destinationSql, 'copied.items', columns),
      await tableRows(w.source.sql, 'items', columns),
    );

    for (const transaction of mixedChanges()) await w.source.sql.query(transaction);
    const second = await runExecution(ferry, syncId);
    assert.equal(second.status, 'completed', JSON.stringify(second));
    const sourceRows = await tableRows(w.source.sql, 'items', columns);
    assert.ok(sourceRows.length < 2000 + 4000, 'some rows were deleted');
    assert.deepEqual(await tableRows(w.destinationSql, 'copied.items', columns), sourceRows);
    const { rows } = await w.destinationSql.query<{ n: number }>(
      'select count(*)::int as n from copied.items where id % 20 = 0 and length(doc) = 9600',
    );
    assert.ok(rows[0]!.n > 0, 'TOASTed values that were not updated kept their value');
    const messages = await consoleMessages(ferry, syncId, second.id as string);
    assert.ok(
      messages.some((message) => message.startsWith('Streaming changes from ')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((message) =>
        /^Applied [\d,]+ changes \([\d,]+ upserts, [\d,]+ deletes\) up to [0-9A-F]+\/[0-9A-F]+, lag/.test(message),
      ),
      messages.join('\n'),
    );
    assert.equal(second.record_count, 10_000, 'each change counted once');
  });

  test("the sync status shows the slot's retained WAL: up with unconsumed changes, down after a run", async () => {
    const w = await world(`create table items (id int primary key, v text);
      insert into items select i, 'x' from generate_series(1, 100) i`);
    await checkStatusFollowsTheStream(
      ferry,
      w,
      'items',
      'insert into items select i, repeat(md5(i::text), 8) from generate_series(101, 20100) i',
    );
  });

  test('writes running during the snapshot copy: no change lost or applied twice at the seam', async () => {
    const w = await world(`create table items (id int primary key, v text, n int, doc text);
      insert into items select i, md5(i::text), 0, null from generate_series(1, 30000) i`);
    const syncId = await createBulkSync(ferry, w, ['public.items']);
    let writing = true;
    let committed = 0;
    const writer = (async () => {
      let id = 30_001;
      while (writing) {
        await w.source.sql.query(
          `begin; insert into items values (${id}, 'during', 0, null);
           update items set n = n + 1, v = 'seam' where id = ${1 + ((id * 7919) % 30_000)};
           delete from items where id = ${1 + ((id * 104_729) % 30_000)}; commit`,
        );
        id += 1;
        committed += 1;
      }
    })();
    const first = await runExecution(ferry, syncId);
    const duringSnapshot = committed;
    writing = false;
    await writer;
    assert.equal(first.status, 'completed', JSON.stringify(first));
    assert.ok(duringSnapshot > 0, 'writes were committed while the first run copied');
    const second = await runExecution(ferry, syncId);
    assert.equal(second.status, 'completed', JSON.stringify(second));
    assert.deepEqual(
      await tableRows(w.destinationSql, 'copied.items', 'id, v, n'),
      await tableRows(w.source.sql, 'items', 'id, v, n'),
    );
  });

  test('a table without a key is refused at save time in plain words, and streams once REPLICA IDENTITY FULL', async () => {
    const w = await world(`create table tags (tag text, owner text);
      insert into tags values ('a', 'x'), ('b', 'x'), ('c', 'y')`);
    const refused = await call(ferry.url, 'POST', '/api/bulk/syncs', {
      key: ferry.apiKey,
      body: {
        name: 'No key',
        mode: 'replicate',
        source_connection_id: w.sourceConnectionId,
        destination_connection_id: w.destinationConnectionId,
        destination_configuration: { schema: 'copied' },
        schemas: ['public.tags'],
        default_schedule: { frequency: 'manual' },
      },
    });
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.body.message, /public\.tags/);
    assert.match(refused.body.message, /REPLICA IDENTITY FULL/);

    await w.source.sql.query('alter table tags replica identity full');
    const syncId = await createBulkSync(ferry, w, ['public.tags']);
    assert.equal((await runExecution(ferry, syncId)).status, 'completed');
    await w.source.sql.query(`begin; delete from tags where tag = 'a'; update tags set owner = 'z' where tag = 'b';
      insert into tags values ('d', 'y'); commit`);
    assert.equal((await runExecution(ferry, syncId)).status, 'completed');
    assert.deepEqual(
      await tableRows(w.destinationSql, 'copied.tags', 'tag, owner', 'tag'),
      await tableRows(w.source.sql, 'tags', 'tag, owner', 'tag'),
    );
  });

  test('deleting the sync drops its replication slot; switching change capture off drops it too', async () => {
    const w = await world(`create table items (id int primary key, v text);
      insert into items select i, 'x' from generate_series(1, 100) i`);
    const deleted = await createBulkSync(ferry, w, ['public.items']);
    assert.equal((await runExecution(ferry, deleted)).status, 'completed');
    assert.equal(await slotsNamed(w.source.sql, changeStreamIdOf(deleted)), 1, 'the first run created the slot');
    const removed = await call(ferry.url, 'DELETE', `/api/bulk/syncs/${deleted}`, { key: ferry.apiKey });
    assert.ok(removed.status < 300, removed.text);
    assert.equal(await slotsNamed(w.source.sql, changeStreamIdOf(deleted)), 0, 'no slot left behind');

    const kept = await createBulkSync(ferry, w, ['public.items']);
    assert.equal((await runExecution(ferry, kept)).status, 'completed');
    assert.equal(await slotsNamed(w.source.sql, changeStreamIdOf(kept)), 1);
    const switched = await call(ferry.url, 'PUT', `/api/connections/${w.sourceConnectionId}`, {
      key: ferry.apiKey,
      body: {
        name: 'cdc source',
        configuration: { ...postgresConfiguration(w.source.database), change_detection: false },
      },
    });
    assert.equal(switched.status, 200, switched.text);
    assert.equal(await slotsNamed(w.source.sql, changeStreamIdOf(kept)), 0, 'switching off dropped the slot');
    // The sync goes on as table copies.
    await w.source.sql.query("update items set v = 'after' where id = 1");
    assert.equal((await runExecution(ferry, kept)).status, 'completed');
    const { rows } = await w.destinationSql.query<{ v: string }>('select v from copied.items where id = 1');
    assert.equal(rows[0]?.v, 'after');
  });

  test('deleting the source connection drops the slots of the syncs that stream from it', async () => {
    const w = await world(`create table items (id int primary key, v text);
      insert into items select i, 'x' from generate_series(1, 50) i`);
    const sync = await createBulkSync(ferry, w, ['public.items']);
    assert.equal((await runExecution(ferry, sync)).status, 'completed');
    assert.equal(await slotsNamed(w.source.sql, changeStreamIdOf(sync)), 1);
    const removed = await call(ferry.url, 'DELETE', `/api/connections/${w.sourceConnectionId}`, { key: ferry.apiKey });
    assert.ok(removed.status < 300, removed.text);
    assert.equal(await slotsNamed(w.source.sql, changeStreamIdOf(sync)), 0, 'no slot left on the source');
  });

  test('a continuous schedule keeps one running execution that streams live until canceled', async () => {
    const w = await world(`create table items (id int primary key, v text);
      insert into items select i, 'x' from generate_series(1, 100) i`);
    const syncId = await createBulkSync(ferry, w, ['public.items'], 'continuous');
    const latest = async () => {
      const listed = await call(ferry.url, 'GET', `/api/bulk/syncs/${syncId}/executions`, { key: ferry.apiKey });
      assert.equal(listed.status, 200, listed.text);
      return listed.body.data as Array<{ id: string; status: string }>;
    };
    const until = async <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await until(async () => ((await latest()).some((e) => e.status === 'running') ? true : undefined), 'a run');
    await w.source.sql.query("insert into items values (101, 'live'); update items set v = 'live' where id = 1");
    await until(async () => {
      const { rows } = await w.destinationSql
        .query<{ n: number }>("select count(*)::int as n from copied.items where v = 'live'")
        .catch(() => ({ rows: [{ n: 0 }] }));
      return rows[0]!.n === 2 ? true : undefined;
    }, 'the live changes in the destination');
    const executions = await latest();
    assert.equal(executions.length, 1, 'one long-lived execution');
    assert.equal(executions[0]!.status, 'running', 'still streaming after applying the changes');
    const canceled = await call(ferry.url, 'POST', `/api/bulk/syncs/${syncId}/cancel`, { key: ferry.apiKey });
    assert.equal(canceled.status, 200, canceled.text);
    await until(
      async () => ((await latest())[0]!.status === 'canceled' ? true : undefined),
      'the execution to be canceled',
    );
    const { rows } = await w.source.sql.query<{ active: boolean }>(
      'select active from pg_replication_slots where slot_name = $1',
      [changeStreamIdOf(syncId)],
    );
    assert.equal(rows[0]?.active, false, 'the replication connection was released; the slot stays for the next run');
  });
});
