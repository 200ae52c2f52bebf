// Rendering StoredRows answers on their own: a single read and a whole list are reused only while every stamp reads
// back the same, and an answer that its stamps do not describe (a row written or deleted between the light read and
// the whole rows) is never kept under them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoredRows, type RowStamp, type WireSource } from '../../src/api/stored-rows.ts';
import { storedRowsJson } from '../../src/api/stored-rows-json.ts';
import type { VersionedEndpoint } from '../../src/api/versioning/migrate.ts';
import { WireJsonCache } from '../../src/api/wire-json-cache.ts';

interface Row {
  id: string;
  revision: number;
  name: string;
}

const source: WireSource<Row> = {
  shape: 'thing',
  id: (row) => row.id,
  stamp: (row) => [row.revision],
  toWire: (row) => ({ id: row.id, name: row.name }),
};

const endpoint = {
  method: 'GET',
  path: '/things',
  version: '2025-09-18',
  itemwiseResponse: true,
  downgradeResponse: (body: unknown) => body,
} as unknown as VersionedEndpoint;

/** A table the light reads and the loads read, counting the whole rows loaded. */
function table(rows: Row[]) {
  const state = { rows, loaded: 0 };
  const stamps = (): RowStamp[] => state.rows.map((row) => ({ id: row.id, stamp: [row.revision] }));
  const list = () =>
    StoredRows.stamped(source, stamps(), async (ids) => {
      state.loaded += ids.length;
      return state.rows.filter((row) => ids.includes(row.id));
    });
  const one = (id: string) => {
    const row = state.rows.find((each) => each.id === id)!;
    return StoredRows.one(source, { id, stamp: [row.revision] }, async () => {
      state.loaded += 1;
      return state.rows.find((each) => each.id === id)!;
    });
  };
  return { state, list, one };
}

const text = async (answer: string | Buffer | Promise<string | Buffer>) => (await answer).toString();

test('a whole list is reused while its stamps are the same, and any changed stamp renders it again', async () => {
  const cache = new WireJsonCache(1 << 20);
  const { state, list } = table([
    { id: 'a', revision: 1, name: 'A' },
    { id: 'b', revision: 1, name: 'B' },
  ]);
  const first = await storedRowsJson(list(), endpoint, cache);
  assert.equal(first.toString(), '{"data":[{"id":"a","name":"A"},{"id":"b","name":"B"}]}');
  assert.equal(state.loaded, 2);
  assert.equal(await storedRowsJson(list(), endpoint, cache), first, 'the same bytes, nothing loaded');
  assert.equal(state.loaded, 2);

  state.rows[1] = { id: 'b', revision: 2, name: 'B2' };
  assert.equal(
    await text(storedRowsJson(list(), endpoint, cache)),
    '{"data":[{"id":"a","name":"A"},{"id":"b","name":"B2"}]}',
  );
  assert.equal(state.loaded, 3, 'only the changed row is loaded');

  state.rows.reverse();
  assert.equal(
    await text(storedRowsJson(list(), endpoint, cache)),
    '{"data":[{"id":"b","name":"B2"},{"id":"a","name":"A"}]}',
  );
  assert.equal(state.loaded, 3, 'reordered: items reused, the list rendered again');
});

test('a list whose rows changed or went between the light read and the load is answered as loaded, not kept', async () => {
  const cache = new WireJsonCache(1 << 20);
  const { state, list } = table([
    { id: 'a', revision: 1, name: 'A' },
    { id: 'b', revision: 1, name: 'B' },
  ]);
  const stale = list();
  state.rows = [{ id: 'a', revision: 2, name: 'A2' }];
  assert.equal(await text(storedRowsJson(stale, endpoint, cache)), '{"data":[{"id":"a","name":"A2"}]}');
  // The same stamps again (as if read before the write) must not find that answer kept under them.
  state.rows = [
    { id: 'a', revision: 1, name: 'A' },
    { id: 'b', revision: 1, name: 'B' },
  ];
  assert.equal(
    await text(storedRowsJson(list(), endpoint, cache)),
    '{"data":[{"id":"a","name":"A"},{"id":"b","name":"B"}]}',
  );
});

test('a single read loads the row only when its stamp changed, and keeps a newer row under its own stamp', async () => {
  const cache = new WireJsonCache(1 << 20);
  const { state, one } = table([{ id: 'a', revision: 1, name: 'A' }]);
  assert.equal(await text(storedRowsJson(one('a'), endpoint, cache)), '{"data":{"id":"a","name":"A"}}');
  assert.equal(await text(storedRowsJson(one('a'), endpoint, cache)), '{"data":{"id":"a","name":"A"}}');
  assert.equal(state.loaded, 1);

  // A stamp whose JSON is kept answers what the row was at that light read, without loading it.
  const kept = one('a');
  state.rows[0] = { id: 'a', revision: 2, name: 'A2' };
  assert.equal(await text(storedRowsJson(kept, endpoint, cache)), '{"data":{"id":"a","name":"A"}}');
  assert.equal(state.loaded, 1);

  // Written again between the light read (revision 2) and the load: answered as loaded, kept under revision 3 only.
  const stale = one('a');
  state.rows[0] = { id: 'a', revision: 3, name: 'A3' };
  assert.equal(await text(storedRowsJson(stale, endpoint, cache)), '{"data":{"id":"a","name":"A3"}}');
  assert.equal(await text(storedRowsJson(one('a'), endpoint, cache)), '{"data":{"id":"a","name":"A3"}}');
  assert.equal(state.loaded, 2);
  state.rows[0] = { id: 'a', revision: 2, name: 'A2' };
  assert.equal(await text(storedRowsJson(one('a'), endpoint, cache)), '{"data":{"id":"a","name":"A2"}}');
  assert.equal(state.loaded, 3);
});
