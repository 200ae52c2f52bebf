// The state cache (state/state-cache.ts): what a process remembers of a sync's state between runs answers the diff
// exactly as the store would, asks the store nothing it already knows, and is dropped whenever the stored state may
// have changed behind it. On memory and on the metadata database in every dialect available.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createStateCache,
  defaultMinimumSavedKeys,
  maxKeptJsonLength,
} from '../../../src/engine/model-sync/state/state-cache.ts';
import { jsonHash } from '../../../src/engine/model-sync/record-hash.ts';
import type { DiffRecord, RecordState, StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { stateStoreSubjects, withStateStore } from './state-store-subjects.ts';
import { existsSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createStateCacheFiles } from '../../../src/persistence/state-cache-files.ts';
import { temporaryDirectory } from './model-sync-kit.ts';
import { createFakeClock } from '../../kit/fake-clock.ts';

/** The store, counting the keys each call of `differing` asks about. */
function counting(store: StateStore): StateStore & { asked: number; calls: number } {
  const wrapper = {
    ...store,
    asked: 0,
    calls: 0,
    async differing(syncId: string, records: ReadonlyArray<DiffRecord>) {
      wrapper.calls += 1;
      wrapper.asked += records.length;
      return store.differing(syncId, records);
    },
  };
  return wrapper;
}

const json = (key: string, version = 1) => `{"email":${JSON.stringify(key)},"v":${version}}`;
const state = (key: string, version = 1): RecordState => ({
  key,
  hash: jsonHash(json(key, version)),
  identity: { email: key },
  json: json(key, version),
});
/** A record to diff whose hash, if read, is counted: a cache answering from the JSON never reads it. */
function asked(key: string, version = 1, reads = { hashes: 0 }): DiffRecord {
  const text = json(key, version);
  return {
    key,
    json: text,
    get hash() {
      reads.hashes += 1;
      return jsonHash(text);
    },
  };
}
const sorted = (map: Map<string, string | undefined>) =>
  [...map.entries()].sort((left, right) => (left[0] < right[0] ? -1 : 1));
const keys = (count: number, prefix = 'k') =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);

for (const { name, open } of await stateStoreSubjects()) {
  describe(`state cache (${name})`, () => {
    const withStore = (body: (store: StateStore) => Promise<void>) => withStateStore(open, body);
    /** A test with a store and a directory for the saved entries, removed after it. */
    const withDirectory = (body: (store: StateStore, directory: string) => Promise<void>) =>
      withStore(async (store) => {
        const directory = temporaryDirectory('ferry-state-cache-');
        try {
          await body(store, directory.path);
        } finally {
          directory.remove();
        }
      });

    /** The sync opened through the cache, and five states k000–k004 committed by execution e1. */
    const openWithFiveStates = async (
      cache: ReturnType<typeof createStateCache>,
      store: StateStore,
      syncId: string,
    ) => {
      const run = await cache.open(store, syncId, { preloadKeys: 0 });
      await run.commit(syncId, { executionId: 'e1', upserts: keys(5).map((key) => state(key)), deletes: [], seen: [] });
      return run;
    };
    /** The same, with the rows of layout 'L' noted for the next run (each state carries its values). */
    const openWithFiveNotedStates = async (
      cache: ReturnType<typeof createStateCache>,
      store: StateStore,
      syncId: string,
    ) => {
      const run = await cache.open(store, syncId, { preloadKeys: 0 });
      run.lane!.previousRows('L');
      await run.commit(syncId, {
        executionId: 'e1',
        upserts: keys(5).map((key) => ({ ...state(key), values: [key, 1] })),
        deletes: [],
        seen: [],
      });
      return run;
    };

    test(
      'every commit replaces the generation token; an empty commit and reads keep it; clear removes it',
      withStore(async (store) => {
        assert.equal(await store.generation('s1'), undefined);
        const first = await store.commit('s1', { executionId: 'e1', upserts: [state('a')], deletes: [], seen: [] });
        assert.equal(typeof first, 'string');
        assert.equal(await store.generation('s1'), first);
        assert.equal(await store.commit('s1', { executionId: 'e1', upserts: [], deletes: [], seen: [] }), undefined);
        assert.equal(await store.generation('s1'), first);
        const second = await store.commit('s1', { executionId: 'e2', upserts: [], deletes: [], seen: ['a'] });
        assert.notEqual(second, first);
        assert.equal(await store.generation('s1'), second);
        assert.equal(await store.generation('other'), undefined, 'per sync');
        await store.clear('s1');
        assert.equal(await store.generation('s1'), undefined);
      }),
    );

    test(
      'a run after a run in the same process diffs from memory: no store statement, no hash of an unchanged record',
      withStore(async (bare) => {
        const store = counting(bare);
        const cache = createStateCache();
        const run1 = await cache.open(store, 's1', { preloadKeys: 0 });
        const all = keys(30);
        assert.deepEqual(
          sorted(
            await run1.differing(
              's1',
              all.map((key) => asked(key)),
            ),
          ),
          all.map((key) => [key, undefined]),
          'an empty state: all new',
        );
        assert.equal(store.calls, 0, 'an empty state needs no lookup');
        await run1.commit('s1', { executionId: 'e1', upserts: all.map((key) => state(key)), deletes: [], seen: [] });

        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        const reads = { hashes: 0 };
        const records = [
          ...all.map((key, index) => asked(key, index % 10 === 0 ? 2 : 1, reads)),
          asked('new', 1, reads),
        ];
        const found = await run2.differing('s1', records);
        const expected = [
          ...all
            .filter((_, index) => index % 10 === 0)
            .map((key): [string, string | undefined] => [key, state(key).hash]),
          ['new', undefined] as [string, undefined],
        ];
        assert.deepEqual(sorted(found), sorted(new Map(expected)));
        assert.deepEqual(sorted(found), sorted(await bare.differing('s1', records)), 'the same answer as the store');
        assert.equal(store.calls, 0, 'nothing asked of the store');
        reads.hashes = 0;
        await run2.differing(
          's1',
          all.map((key) => asked(key, 1, reads)),
        );
        assert.equal(reads.hashes, 0, 'unchanged records are compared by their JSON, never hashed');
      }),
    );

    test(
      'a long record is kept as its hash, and still diffs right',
      withStore(async (store) => {
        const cache = createStateCache();
        const long = (version: number) => `{"text":"${'x'.repeat(maxKeptJsonLength)}","v":${version}}`;
        const record = (version: number): RecordState => ({
          key: 'long',
          hash: jsonHash(long(version)),
          identity: {},
          json: long(version),
        });
        const run1 = await cache.open(store, 's1');
        await run1.commit('s1', { executionId: 'e1', upserts: [record(1)], deletes: [], seen: [] });
        const run2 = await cache.open(store, 's1');
        assert.deepEqual(sorted(await run2.differing('s1', [record(1)])), []);
        assert.deepEqual(sorted(await run2.differing('s1', [record(2)])), [['long', record(1).hash]]);
        assert.ok(cache.bytes < 200, `about a hash's worth held, not the record (${cache.bytes} bytes)`);
      }),
    );

    test(
      'another writer, a reset, or state older than the token: the next run does not trust what it remembers',
      withStore(async (bare) => {
        const store = counting(bare);
        const cache = createStateCache();
        const run1 = await cache.open(store, 's1', { preloadKeys: 0 });
        await run1.commit('s1', { executionId: 'e1', upserts: [state('a'), state('b')], deletes: [], seen: [] });
        // Another process delivers b's version 2 and deletes a.
        await bare.commit('s1', { executionId: 'elsewhere', upserts: [state('b', 2)], deletes: ['a'], seen: [] });
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(sorted(await run2.differing('s1', [asked('a'), asked('b', 2)])), [['a', undefined]]);
        assert.equal(store.calls, 1, 'the store answered');

        await bare.clear('s1');
        const run3 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(
          sorted(await run3.differing('s1', [asked('b', 2)])),
          [['b', undefined]],
          'after a reset everything is new',
        );
      }),
    );

    test(
      'a state without a token (written before it existed) warms the cache from the store; a run after a run trusts it',
      withStore(async (bare) => {
        // The state store writes the token with every commit; a state from before has rows and no token.
        await bare.commit('s1', {
          executionId: 'e0',
          upserts: keys(20).map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        const legacyGeneration = bare.generation;
        const store = counting({
          ...bare,
          generation: async (id) => (id === 's1' && !committedSince ? undefined : legacyGeneration(id)),
        });
        let committedSince = false;
        const cache = createStateCache();
        const run1 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(sorted(await run1.differing('s1', [...keys(20).map((key) => asked(key)), asked('new')])), [
          ['new', undefined],
        ]);
        assert.equal(store.asked, 21, 'a cold cache asks the store about every key');
        assert.deepEqual(
          sorted(
            await run1.differing(
              's1',
              keys(20).map((key) => asked(key)),
            ),
          ),
          [],
        );
        assert.equal(store.asked, 21, 'the keys the store confirmed are remembered');
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        await run2.differing(
          's1',
          keys(20).map((key) => asked(key)),
        );
        assert.equal(store.asked, 41, 'no token: the next run cannot trust the memory, and asks again');
        await run2.commit('s1', { executionId: 'e2', upserts: [state('new')], deletes: [], seen: [] });
        committedSince = true;
        const run3 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(
          sorted(await run3.differing('s1', [...keys(20).map((key) => asked(key)), asked('new'), asked('other')])),
          [['other', undefined]],
        );
        assert.equal(store.asked, 42, 'after its own commit the run trusts the memory; only the unknown key is asked');
      }),
    );

    test(
      'a commit that fails forgets the sync: the rest of the run and the next one ask the store',
      withStore(async (bare) => {
        const cache = createStateCache();
        let fail = false;
        const failing = counting({
          ...bare,
          async commit(syncId, change) {
            if (fail) throw new Error('connection lost during COMMIT');
            return bare.commit(syncId, change);
          },
        });
        const run1 = await cache.open(failing, 's1', { preloadKeys: 0 });
        await run1.commit('s1', { executionId: 'e1', upserts: [state('a'), state('b')], deletes: [], seen: [] });
        fail = true;
        await assert.rejects(run1.commit('s1', { executionId: 'e1', upserts: [state('a', 2)], deletes: [], seen: [] }));
        assert.equal(cache.bytes, 0);
        assert.deepEqual(sorted(await run1.differing('s1', [asked('a'), asked('b')])), []);
        assert.equal(failing.calls, 1, 'the store answered after the failure');
        fail = false;
        await cache.open(failing, 's1', { preloadKeys: 0 }).then((run2) => run2.differing('s1', [asked('a')]));
        assert.equal(failing.calls, 2);
      }),
    );

    test(
      'a preloaded cold cache is complete: an unknown key is new without asking the store',
      withStore(async (bare) => {
        await bare.commit('s1', {
          executionId: 'e1',
          upserts: keys(25).map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        const store = counting(bare);
        const run = await createStateCache().open(store, 's1', { preloadKeys: 25 });
        assert.deepEqual(sorted(await run.differing('s1', [asked('k003'), asked('k004', 2), asked('zzz')])), [
          ['k004', state('k004').hash],
          ['zzz', undefined],
        ]);
        assert.equal(store.calls, 0);
        const over = await createStateCache().open(store, 's1', { preloadKeys: 24 });
        await over.differing('s1', [asked('k003')]);
        assert.equal(store.calls, 1, 'more keys than preloadKeys: not preloaded, the store diffs');
      }),
    );

    test(
      "a cold run warms the next: rows the store's diff confirmed are noted in read order, and a preloaded hash a row matched keeps its JSON",
      withStore(async (bare) => {
        await bare.commit('s1', {
          executionId: 'e1',
          upserts: keys(6).map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        const store = counting(bare);
        // Not preloaded: every row is diffed in the store; the unchanged ones (with their values) are noted.
        const cache = createStateCache();
        const run1 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.equal(run1.lane!.previousRows('L'), undefined);
        const withValues = (record: DiffRecord, values: unknown[]): DiffRecord => Object.assign(record, { values });
        const records = keys(6).map((key, index) => withValues(asked(key, index === 2 ? 2 : 1), [key, index]));
        assert.deepEqual(sorted(await run1.differing('s1', records)), [['k002', state('k002').hash]]);
        assert.equal(store.calls, 1);
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        const rows = run2.lane!.previousRows('L')!;
        assert.deepEqual(rows.keys, ['k000', 'k001', 'k003', 'k004', 'k005'], 'the unchanged rows, in order');
        assert.deepEqual(rows.values[2], ['k003', 3]);
        assert.equal(rows.kept[0], json('k000'), 'with the JSON the store confirmed');
        assert.equal(rows.slots[0], run2.lane!.slot('k000'));

        // Preloaded: slots hold the stored hashes; a row that matched one makes it hold the row's JSON.
        const preloaded = await createStateCache().open(store, 's1', { preloadKeys: 100 });
        assert.equal(preloaded.lane!.slot('k000')?.kept, state('k000').hash);
        const slot = preloaded.lane!.confirm('k000', json('k000'));
        assert.equal(slot, preloaded.lane!.slot('k000'));
        assert.equal(slot?.kept, json('k000'));
        const long = `{"email":"k001","note":"${'x'.repeat(maxKeptJsonLength)}"}`;
        assert.equal(preloaded.lane!.confirm('k001', long)?.kept, state('k001').hash, 'a long record keeps its hash');
        const calls = store.calls;
        assert.deepEqual(sorted(await preloaded.differing('s1', [asked('k000', 2)])), [['k000', state('k000').hash]]);
        assert.equal(store.calls, calls, 'answered from memory');
      }),
    );

    test(
      'the byte budget: other syncs are evicted first, then keys are left out and asked of the store',
      withStore(async (bare) => {
        const store = counting(bare);
        // Room for about 25 entries of these (70 + 4 + ~20 bytes each).
        const cache = createStateCache({ maxBytes: 25 * 100 });
        const other = await cache.open(store, 'other', { preloadKeys: 0 });
        await other.commit('other', {
          executionId: 'e1',
          upserts: keys(10, 'o').map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        const held = cache.bytes;
        assert.ok(held > 0);
        const run = await cache.open(store, 's1', { preloadKeys: 0 });
        await run.commit('s1', {
          executionId: 'e1',
          upserts: keys(40).map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        assert.ok(cache.bytes <= 25 * 100, `within the budget (${cache.bytes})`);
        const rerun = await cache.open(store, 's1', { preloadKeys: 0 });
        const found = await rerun.differing('s1', [...keys(40).map((key) => asked(key)), asked('new')]);
        assert.deepEqual(sorted(found), [['new', undefined]], 'still right with keys left out');
        assert.ok(store.asked > 1 && store.asked < 41, `only the keys left out were asked (${store.asked})`);
        const before = store.asked;
        const again = await cache.open(store, 'other', { preloadKeys: 0 });
        await again.differing(
          'other',
          keys(10, 'o').map((key) => asked(key)),
        );
        assert.equal(store.asked - before, 10, 'the other sync was evicted');
      }),
    );

    test(
      "rows noted in a run are the next run's previous rows, in order, by layout; a commit since voids a row",
      withStore(async (store) => {
        const cache = createStateCache();
        const run1 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.equal(run1.lane!.previousRows('L'), undefined);
        const delivered = keys(5).map((key) => ({ ...state(key), values: [key, 1] }));
        await run1.commit('s1', { executionId: 'e1', upserts: delivered, deletes: [], seen: [] });
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.equal(
          run2.lane!.previousRows('another layout'),
          undefined,
          'a run with another mapping cannot use them',
        );
        const rows = run2.lane!.previousRows('L')!;
        assert.deepEqual(rows.keys, keys(5), 'in commit order');
        assert.deepEqual(
          rows.values,
          keys(5).map((key) => [key, 1]),
        );
        assert.ok(
          rows.slots.every((slot, index) => slot.kept === rows.kept[index]),
          'each slot still holds what it held',
        );
        assert.equal(rows.slots[0], run2.lane!.slot('k000'), "the entry's own slot");
        // An unchanged row is noted for the next run; committing another row voids its previous row.
        run2.lane!.rememberRow('k001', rows.slots[1]!, rows.kept[1]!, [`k001`, 1]);
        await run2.commit('s1', { executionId: 'e2', upserts: [state('k000', 2)], deletes: ['k002'], seen: [] });
        assert.notEqual(rows.slots[0]!.kept, rows.kept[0], 'k000 delivered with other values since');
        assert.equal(rows.slots[2]!.kept, '', 'k002 deleted');
        assert.equal(rows.slots[1]!.kept, rows.kept[1], 'k001 untouched');
        const run3 = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(run3.lane!.previousRows('L')?.keys, ['k001'], "the rows run 2 noted; run 1's are let go");
        assert.equal(
          await createStateCache({ maxBytes: 0 })
            .open(store, 's1')
            .then((bare) => 'lane' in bare),
          false,
          'no cache, no lane',
        );
      }),
    );

    test(
      'after a restart the saved entry answers as the store would, asking it nothing; after a commit it did not see, it is not trusted',
      withDirectory(async (bare, directory) => {
        const archive = createStateCacheFiles(directory);
        const store = counting(bare);
        const all = keys(30);
        const before = createStateCache({ archive });
        const run1 = await before.open(store, 's1', { preloadKeys: 0 });
        await run1.commit('s1', { executionId: 'e1', upserts: all.map((key) => state(key)), deletes: [], seen: [] });
        run1.lane!.previousRows('L');
        run1.lane!.rememberRow('k000', run1.lane!.slot('k000')!, json('k000'), ['k000', 1]);
        await before.persist();
        const [file] = readdirSync(directory);

        // The next process: the first open restores the entry, rows included.
        const after = createStateCache({ archive });
        const run2 = await after.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(run2.lane!.previousRows('L')?.keys, ['k000'], 'the noted rows come back');
        assert.equal(run2.lane!.previousRows('L')?.slots[0], run2.lane!.slot('k000'), "held by the key's slot");
        const records = [...all.map((key, index) => asked(key, index % 10 === 0 ? 2 : 1)), asked('new')];
        const found = await run2.differing('s1', records);
        assert.deepEqual(sorted(found), sorted(await bare.differing('s1', records)), 'the same answer as the store');
        assert.equal(found.size, 4);
        assert.equal(store.calls, 0, 'nothing asked of the store');

        // This process commits and dies without saving: the commit is in the journal beside the file.
        await run2.commit('s1', { executionId: 'e2', upserts: [state('k001', 2)], deletes: ['k002'], seen: [] });
        await after.settled();
        const crashed = createStateCache({ archive });
        const run3 = await crashed.open(store, 's1', { preloadKeys: 0 });
        assert.equal(run3.lane!.slot('k001')?.kept, json('k001', 2), 'restored with the journaled commit');
        assert.equal(run3.lane!.slot('k002'), undefined, 'its delete too');
        const again = [asked('k001', 2), asked('k002'), asked('k003'), asked('k004', 2)];
        assert.deepEqual(sorted(await run3.differing('s1', again)), sorted(await bare.differing('s1', again)));
        assert.equal(store.calls, 0, 'still nothing asked of the store');

        // A commit this process did not make (another worker): the chain ends short of the stored token.
        await bare.commit('s1', { executionId: 'elsewhere', upserts: [state('k003', 2)], deletes: [], seen: [] });
        const stale = createStateCache({ archive });
        const run4 = await stale.open(store, 's1', { preloadKeys: 0 });
        assert.equal(run4.lane!.slot('k001'), undefined, 'the stale entry is not restored');
        assert.equal(existsSync(join(directory, file!)), false, 'and its file is removed');
        assert.deepEqual(readdirSync(directory), [], 'with its journal');
        assert.deepEqual(
          sorted(await run4.differing('s1', again)),
          [
            ['k002', undefined],
            ['k003', jsonHash(json('k003', 2))],
            ['k004', jsonHash(json('k004'))],
          ],
          'the store tells',
        );
        assert.ok(store.calls > 0, 'asked of the store');

        // A reset removes the saved entry with the state.
        await stale.persist();
        assert.equal(readdirSync(directory).length, 1);
        const reset = await createStateCache({ archive }).open(store, 's1', { preloadKeys: 0 });
        await reset.clear('s1');
        assert.deepEqual(readdirSync(directory), []);
      }),
    );

    test(
      "after a crash the journal's commits are applied to the saved entry and void their memo rows; a lost append, a torn line or a full journal leave it stale",
      withDirectory(async (store, directory) => {
        const files = createStateCacheFiles(directory);
        let appends: 'write' | 'fail' | 'drop' = 'write';
        const archive = {
          ...files,
          async append(syncId: string, change: Parameters<typeof files.append>[1]) {
            if (appends === 'fail') throw new Error('disk full');
            if (appends === 'write') await files.append(syncId, change);
          },
        };
        const journal = () => readdirSync(directory).find((name) => name.endsWith('.state-journal'));
        const noted = async (cache: ReturnType<typeof createStateCache>) => {
          const run = await cache.open(store, 's1', { preloadKeys: 0 });
          return { run, rows: run.lane!.previousRows('L') };
        };
        // A saved entry of five keys, each with its memo row.
        const first = createStateCache({ archive });
        await openWithFiveNotedStates(first, store, 's1');
        await first.persist();
        assert.equal(journal(), undefined, 'nothing journaled before the save');

        // A restored process commits twice (journaled) and dies.
        const second = createStateCache({ archive });
        await second.restore(store);
        const { run: run2 } = await noted(second);
        await run2.commit('s1', { executionId: 'e2', upserts: [state('k000', 2)], deletes: [], seen: [] });
        await run2.commit('s1', { executionId: 'e2', upserts: [state('new')], deletes: ['k001'], seen: [] });
        await second.settled();
        assert.ok(journal(), 'journaled');
        const third = createStateCache({ archive });
        await third.restore(store);
        const { run: run3, rows } = await noted(third);
        const told = rows!.keys.filter((_, row) => rows!.slots[row]!.kept === rows!.kept[row]);
        assert.deepEqual(
          told,
          ['k002', 'k003', 'k004'],
          'the memo rows of k000 (updated) and k001 (deleted) no longer tell',
        );
        const records = [...keys(5).map((key) => asked(key)), asked('new'), asked('newer')];
        assert.deepEqual(sorted(await run3.differing('s1', records)), sorted(await store.differing('s1', records)));

        // Saved again: the journal goes with the file it extended.
        await third.persist();
        assert.equal(journal(), undefined);

        // A commit whose append is lost (a crash between the store's commit and the append): the chain stops short.
        for (const lost of ['drop', 'fail'] as const) {
          const restored = createStateCache({ archive });
          await restored.restore(store);
          const { run } = await noted(restored);
          appends = lost;
          await run.commit('s1', { executionId: `lost-${lost}`, upserts: [state('k002', 3)], deletes: [], seen: [] });
          await restored.settled();
          appends = 'write';
          // A later commit is not journaled either (the journal stopped), nor would it chain.
          await run.commit('s1', {
            executionId: `after-${lost}`,
            upserts: [state('k003', 3)],
            deletes: [],
            seen: [],
          });
          const next = await noted(createStateCache({ archive }));
          assert.equal(next.run.lane!.slot('k004'), undefined, `${lost}: not restored`);
          assert.deepEqual(readdirSync(directory), [], `${lost}: file and journal removed`);
          await restored.persist();
        }

        // A torn last line: not restored.
        const torn = createStateCache({ archive });
        await torn.restore(store);
        const { run: run5 } = await noted(torn);
        await run5.commit('s1', { executionId: 'e5', upserts: [state('k002', 4)], deletes: [], seen: [] });
        await torn.settled();
        const path = join(directory, journal()!);
        const { readFileSync, writeFileSync } = await import('node:fs');
        writeFileSync(path, readFileSync(path).subarray(0, -10));
        assert.equal((await noted(createStateCache({ archive }))).run.lane!.slot('k004'), undefined, 'torn');
        await torn.persist();

        // The journal holds at most as many keys as the saved entry; past that it stops.
        const full = createStateCache({ archive });
        await full.restore(store);
        const { run: run6 } = await noted(full);
        const many = keys(20, 'm').map((key) => state(key));
        await run6.commit('s1', { executionId: 'e6', upserts: many, deletes: [], seen: [] });
        assert.equal((await noted(createStateCache({ archive }))).run.lane!.slot('k004'), undefined, 'not journaled');
      }),
    );

    test(
      'a commit does not wait for its journal append; the commits queued meanwhile are appended after it, in order',
      withDirectory(async (store, directory) => {
        const files = createStateCacheFiles(directory);
        let gate: Promise<void> | undefined;
        const appended: number[] = [];
        const archive = {
          ...files,
          async append(syncId: string, changes: Parameters<typeof files.append>[1]) {
            await gate;
            appended.push(changes.length);
            await files.append(syncId, changes);
          },
        };
        const first = createStateCache({ archive });
        const run1 = await first.open(store, 's1', { preloadKeys: 0 });
        // Five keys saved: room for five journaled keys.
        await run1.commit('s1', {
          executionId: 'e1',
          upserts: ['a', ...keys(4)].map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        await first.persist();
        let open: () => void = () => {};
        gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        for (const version of [2, 3, 4])
          await run1.commit('s1', { executionId: 'e2', upserts: [state('a', version)], deletes: [], seen: [] });
        assert.deepEqual(appended, [], 'three commits returned while the first append waits');
        open();
        await first.settled();
        assert.deepEqual(appended, [1, 2], 'the first alone, then the two queued behind it in one append');
        const run2 = await createStateCache({ archive }).open(store, 's1', { preloadKeys: 0 });
        assert.equal(run2.lane!.slot('a')?.kept, json('a', 4), 'all three applied, in order');
      }),
    );

    test(
      'restored at the start: every saved entry still at its token is in memory before the first open, which reads no file; a stale or cleared one is removed',
      withDirectory(async (bare, directory) => {
        const archive = createStateCacheFiles(directory);
        const store = counting(bare);
        const before = createStateCache({ archive });
        for (const syncId of ['s1', 's2', 's3']) {
          const run = await openWithFiveStates(before, store, syncId);
          if (syncId === 's1') {
            run.lane!.previousRows('L');
            run.lane!.rememberRow('k000', run.lane!.slot('k000')!, json('k000'), ['k000', 1]);
          }
        }
        await before.persist();
        assert.equal(readdirSync(directory).length, 3);
        // After the save: s2 changes behind the files (a crash after later runs), s3 is reset.
        await store.commit('s2', { executionId: 'e2', upserts: [state('k001', 2)], deletes: [], seen: [] });
        await store.clear('s3');

        const after = createStateCache({ archive });
        await after.restore(store);
        assert.equal(readdirSync(directory).length, 1, "the stale and the cleared syncs' files are gone");
        // The files are not read again: the open finds the entry in memory.
        for (const name of readdirSync(directory)) rmSync(join(directory, name));
        const run1 = await after.open(store, 's1', { preloadKeys: 0 });
        assert.deepEqual(run1.lane!.previousRows('L')?.keys, ['k000'], "the last run's rows are this run's previous");
        const records = keys(5).map((key, index) => asked(key, index === 3 ? 2 : 1));
        assert.deepEqual(sorted(await run1.differing('s1', records)), [['k003', jsonHash(json('k003'))]]);
        assert.equal(store.calls, 0, 'answered from memory');
        const run2 = await after.open(store, 's2', { preloadKeys: 0 });
        assert.equal(run2.lane!.slot('k001'), undefined, 's2 starts cold');
        assert.deepEqual(
          sorted(await run2.differing('s2', [asked('k001', 2), asked('k002', 2)])),
          [['k002', jsonHash(json('k002'))]],
          'the store tells what changed since the save',
        );
      }),
    );

    test(
      'restored at the start: the most recently changed first, and no further file read once one does not fit',
      withDirectory(async (bare, directory) => {
        const files = createStateCacheFiles(directory);
        const store = counting(bare);
        // Three syncs saved by three processes, each file changed a day after the one before.
        let oneEntry = 0;
        for (const [day, syncId] of ['oldest', 'older', 'newer'].entries()) {
          const before = new Set(readdirSync(directory));
          const cache = createStateCache({ archive: files });
          await openWithFiveStates(cache, store, syncId);
          oneEntry = cache.bytes;
          await cache.persist();
          const changedAt = new Date(Date.UTC(2020, 0, 1 + day));
          for (const name of readdirSync(directory).filter((one) => !before.has(one)))
            utimesSync(join(directory, name), changedAt, changedAt);
        }
        const reads: string[] = [];
        const archive = {
          ...files,
          read: (syncId: string, generation: string) => {
            reads.push(syncId);
            return files.read(syncId, generation);
          },
        };
        // Room for one entry: the newest is restored, the next is read and does not fit, the oldest is not read.
        const after = createStateCache({ archive, maxBytes: Math.floor(oneEntry * 1.5) });
        await after.restore(store);
        assert.deepEqual(reads, ['newer', 'older']);
        const newer = await after.open(store, 'newer', { preloadKeys: 0 });
        assert.equal(newer.lane!.slot('k000')?.kept, json('k000'), 'the newest is in memory');
        assert.deepEqual(reads, ['newer', 'older'], 'its open reads no file');
        // The others are still there for their own opens, which make room.
        const oldest = await after.open(store, 'oldest', { preloadKeys: 0 });
        assert.equal(oldest.lane!.slot('k000')?.kept, json('k000'));
        assert.deepEqual(reads, ['newer', 'older', 'oldest']);
      }),
    );

    test(
      'an entry whose commit failed is not saved; a commit under way is left out of the save',
      withDirectory(async (store, directory) => {
        const archive = createStateCacheFiles(directory);
        const cache = createStateCache({ archive });
        const failing: StateStore = {
          ...store,
          commit: async () => {
            throw new Error('the database went away');
          },
        };
        const run = await cache.open(failing, 's1', { preloadKeys: 0 });
        await assert.rejects(run.commit('s1', { executionId: 'e1', upserts: [state('a')], deletes: [], seen: [] }));
        await cache.persist();
        assert.deepEqual(readdirSync(directory), [], 'nothing known, nothing saved');

        let release: () => void = () => {};
        const slow: StateStore = {
          ...store,
          commit: async (syncId, change) => {
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            return store.commit(syncId, change);
          },
        };
        const other = createStateCache({ archive });
        const during = await other.open(slow, 's2', { preloadKeys: 0 });
        const committing = during.commit('s2', { executionId: 'e1', upserts: [state('a')], deletes: [], seen: [] });
        await other.persist();
        assert.deepEqual(readdirSync(directory), [], 'the state is unknown until the commit returns');
        release();
        await committing;
        await other.persist();
        assert.equal(readdirSync(directory).length, 1);
      }),
    );

    test(
      'a run that ends with no saved copy has its entry saved in the background, off its path; a crash then finds it and the journal since; a tiny entry is not saved',
      withDirectory(async (store, directory) => {
        const archive = createStateCacheFiles(directory);
        const files = () => readdirSync(directory).sort();
        const small = createStateCache({ archive });
        const tiny = await small.open(store, 'tiny', { preloadKeys: 0 });
        await tiny.commit('tiny', { executionId: 'e1', upserts: [state('a')], deletes: [], seen: [] });
        small.ended('tiny');
        await small.settled();
        assert.deepEqual(files(), [], `fewer than ${defaultMinimumSavedKeys} keys: not worth a save`);

        const cache = createStateCache({ archive, minimumSavedKeys: 5 });
        await openWithFiveNotedStates(cache, store, 's1');
        cache.ended('s1');
        assert.deepEqual(files(), [], "nothing written on the run's turn");
        await cache.settled();
        assert.equal(files().length, 1, 'saved');
        // The next run here commits: journaled from the save, not saved again.
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        await run2.commit('s1', { executionId: 'e2', upserts: [state('k001', 2)], deletes: ['k002'], seen: [] });
        cache.ended('s1');
        await cache.settled();
        assert.equal(files().length, 2, 'the file and its journal');

        // Killed: the next process restores the saved entry with the journaled commit, and asks the store nothing.
        const counted = counting(store);
        const crashed = createStateCache({ archive });
        await crashed.restore(counted);
        const run3 = await crashed.open(counted, 's1', { preloadKeys: 0 });
        assert.equal(run3.lane!.slot('k001')?.kept, json('k001', 2));
        assert.equal(run3.lane!.slot('k002'), undefined);
        const rows = run3.lane!.previousRows('L')!;
        assert.deepEqual(
          rows.keys.filter((_, row) => rows.slots[row]!.kept === rows.kept[row]),
          ['k000', 'k003', 'k004'],
          'the memo rows the journaled commit did not void',
        );
        const records = keys(5).map((key) => asked(key));
        assert.deepEqual(sorted(await run3.differing('s1', records)), sorted(await store.differing('s1', records)));
        assert.equal(counted.calls, 0, 'warm: nothing asked of the store');
      }),
    );

    test(
      'a commit during the background save is journaled after the file is written, or, without room, leaves the save unused; one save at a time',
      withDirectory(async (store, directory) => {
        const files = createStateCacheFiles(directory);
        // Each sync's file write waits for its gate.
        const gates = new Map<string, { opened: Promise<void>; open: () => void }>();
        for (const syncId of ['s1', 's2']) {
          let open: () => void = () => {};
          const opened = new Promise<void>((resolve) => {
            open = resolve;
          });
          gates.set(syncId, { opened, open });
        }
        const events: string[] = [];
        let writing = 0;
        let mostWriting = 0;
        const archive = {
          ...files,
          async write(entries: Parameters<typeof files.write>[0]) {
            writing += 1;
            mostWriting = Math.max(mostWriting, writing);
            events.push(`write ${entries.map((entry) => entry.syncId).join()}`);
            for (const entry of entries) await gates.get(entry.syncId)?.opened;
            await files.write(entries);
            writing -= 1;
          },
          async append(syncId: string, changes: Parameters<typeof files.append>[1]) {
            events.push(`append ${syncId} ${changes.length}`);
            await files.append(syncId, changes);
          },
        };
        const until = async (event: string) => {
          while (!events.includes(event)) await new Promise<void>((resolve) => setImmediate(resolve));
        };
        const cache = createStateCache({ archive, minimumSavedKeys: 5 });
        for (const syncId of ['s1', 's2']) {
          const run = await cache.open(store, syncId, { preloadKeys: 0 });
          await run.commit(syncId, {
            executionId: 'e1',
            upserts: keys(5).map((key) => state(key)),
            deletes: [],
            seen: [],
          });
        }
        cache.ended('s1');
        cache.ended('s2');
        await until('write s1');
        // The next run of s1 commits while its save is being written: the commit returns, its line waits.
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        await run2.commit('s1', { executionId: 'e2', upserts: [state('k001', 2)], deletes: [], seen: [] });
        // s2's next run commits more keys than its save holds: no room in the journal, so the save is left short.
        const other = await cache.open(store, 's2', { preloadKeys: 0 });
        assert.deepEqual(events, ['write s1'], 'one save at a time, and no append before its file');
        gates.get('s1')!.open();
        await until('write s2');
        await other.commit('s2', {
          executionId: 'e2',
          upserts: keys(6, 'm').map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        gates.get('s2')!.open();
        await cache.settled();
        assert.deepEqual(events, ['write s1', 'append s1 1', 'write s2']);
        assert.equal(mostWriting, 1);

        const crashed = createStateCache({ archive });
        const restored = await crashed.open(store, 's1', { preloadKeys: 0 });
        assert.equal(restored.lane!.slot('k001')?.kept, json('k001', 2), 'the commit during the save is applied');
        const cold = await crashed.open(store, 's2', { preloadKeys: 0 });
        assert.equal(cold.lane!.slot('k000'), undefined, 'the save the commit outran is not used');
        assert.equal(readdirSync(directory).length, 2, 's1: file and journal; s2: removed as stale');
      }),
    );

    test(
      'a background save waits for a quiet spell of the cache, so that the runs under way go first, but not past five seconds',
      withDirectory(async (store, directory) => {
        const clock = createFakeClock();
        const archive = createStateCacheFiles(directory);
        const saved = () => readdirSync(directory).length;
        const turns = async () => {
          for (let turn = 0; turn < 50; turn += 1) await new Promise<void>((resolve) => setImmediate(resolve));
        };
        const cache = createStateCache({ archive, minimumSavedKeys: 5, clock });
        const run = await cache.open(store, 's1', { preloadKeys: 0 });
        await run.commit('s1', { executionId: 'e1', upserts: keys(5).map((key) => state(key)), deletes: [], seen: [] });
        cache.ended('s1');
        await turns();
        assert.equal(saved(), 0, 'a commit just now: the save waits');
        // Another sync's run keeps the cache busy, a diff every 40 ms.
        const other = await cache.open(store, 's2', { preloadKeys: 0 });
        const busyFor = async (ms: number) => {
          for (let elapsed = 0; elapsed < ms; elapsed += 40) {
            await other.differing('s2', [asked('x')]);
            await clock.advance(40);
          }
        };
        await busyFor(4_800);
        await turns();
        assert.equal(saved(), 0, 'still busy');
        await busyFor(400);
        await cache.settled();
        assert.equal(saved(), 1, 'saved after five seconds of waiting, busy or not');
        cache.ended('s2');

        // A run that is open but asks the cache nothing (its rows all match the memo) holds the save too.
        await openWithFiveStates(cache, store, 's4');
        cache.ended('s4');
        const memoOnly = await cache.open(store, 's1', { preloadKeys: 0 });
        assert.ok(memoOnly.lane);
        for (let elapsed = 0; elapsed < 1_000; elapsed += 100) await clock.advance(100);
        await turns();
        assert.equal(saved(), 1, 'a run is open: the save of s4 waits');
        cache.ended('s1');
        await clock.advance(60);
        await cache.settled();
        assert.equal(saved(), 2, 'the run ended: saved after a quiet spell');

        // With nothing running, a quiet spell is all it waits for.
        await openWithFiveStates(cache, store, 's3');
        cache.ended('s3');
        await clock.advance(60);
        await cache.settled();
        assert.equal(saved(), 3);
      }),
    );

    test(
      'a full journal, or a failed save, makes the next run end save the entry again',
      withDirectory(async (store, directory) => {
        const files = createStateCacheFiles(directory);
        let failWrites = false;
        let writes = 0;
        const archive = {
          ...files,
          async write(entries: Parameters<typeof files.write>[0]) {
            writes += 1;
            if (failWrites) throw new Error('disk full');
            await files.write(entries);
          },
        };
        const cache = createStateCache({ archive, minimumSavedKeys: 5 });
        const run1 = await cache.open(store, 's1', { preloadKeys: 0 });
        await run1.commit('s1', {
          executionId: 'e1',
          upserts: keys(5).map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        cache.ended('s1');
        await cache.settled();
        assert.equal(writes, 1);
        // Twenty keys against a five-key save: the journal stops, and a crash now would find the save short.
        const run2 = await cache.open(store, 's1', { preloadKeys: 0 });
        await run2.commit('s1', {
          executionId: 'e2',
          upserts: keys(20, 'm').map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        await cache.settled();
        assert.equal(writes, 1, 'no save during the run');
        cache.ended('s1');
        await cache.settled();
        assert.equal(writes, 2, 'saved again at its end');
        const afterCrash = await createStateCache({ archive }).open(store, 's1', { preloadKeys: 0 });
        assert.equal(afterCrash.lane!.slot('m019')?.kept, json('m019'), 'the re-save holds every key');
        assert.equal(afterCrash.lane!.slot('k004')?.kept, json('k004'));

        // A save that fails leaves no journal behind it, and the next end tries again. (Another worker's commit first,
        // so that this process starts cold.)
        await store.commit('s1', { executionId: 'elsewhere', upserts: [state('k001', 3)], deletes: [], seen: [] });
        const fresh = createStateCache({ archive, minimumSavedKeys: 5 });
        const run3 = await fresh.open(store, 's1', { preloadKeys: 0 });
        assert.equal(run3.lane!.slot('m019'), undefined, 'another process: cold');
        await run3.commit('s1', {
          executionId: 'e3',
          upserts: keys(5).map((key) => state(key, 3)),
          deletes: [],
          seen: [],
        });
        failWrites = true;
        fresh.ended('s1');
        await fresh.settled();
        const run4 = await fresh.open(store, 's1', { preloadKeys: 0 });
        await run4.commit('s1', { executionId: 'e4', upserts: [state('k000', 4)], deletes: [], seen: [] });
        await fresh.settled();
        const stale = await createStateCache({ archive }).open(store, 's1', { preloadKeys: 0 });
        assert.equal(stale.lane!.slot('k000'), undefined, 'the failed save left nothing usable');
        failWrites = false;
        fresh.ended('s1');
        await fresh.settled();
        const saved = await createStateCache({ archive }).open(store, 's1', { preloadKeys: 0 });
        assert.equal(saved.lane!.slot('k000')?.kept, json('k000', 4), 'saved at the next end');
      }),
    );

    test(
      'maxBytes 0 turns the cache off: the store itself',
      withStore(async (store) => {
        assert.equal(await createStateCache({ maxBytes: 0 }).open(store, 's1'), store);
      }),
    );
  });
}
