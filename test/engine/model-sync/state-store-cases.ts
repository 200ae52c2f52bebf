// The shared StateStore suite: every implementation runs these cases (style point 3).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { withStateStore, type StateStoreSubject } from './state-store-subjects.ts';

const state = (key: string, hash = `h-${key}`) => ({ key, hash, identity: { email: key } });
const entries = (map: Map<string, string | undefined>) =>
  [...map.entries()].sort((left, right) => (left[0] < right[0] ? -1 : 1));

export function stateStoreCases(name: string, open: () => Promise<StateStoreSubject>): void {
  describe(`StateStore: ${name}`, () => {
    const withStore = (body: (store: StateStore) => Promise<void>) => withStateStore(open, body);

    test(
      'differing leaves out records stored with the same hash; others come with the stored hash or none',
      withStore(async (store) => {
        await store.commit('s1', { executionId: 'e1', upserts: [state('a'), state('b')], deletes: [], seen: [] });
        const found = await store.differing('s1', [
          { key: 'a', hash: 'h-a' },
          { key: 'b', hash: 'changed' },
          { key: 'c', hash: 'h-c' },
        ]);
        assert.deepEqual(entries(found), [
          ['b', 'h-b'],
          ['c', undefined],
        ]);
        assert.equal(found.has('c'), true, 'a key with no state is in the map, as undefined');
        assert.deepEqual(
          entries(await store.differing('other', [{ key: 'a', hash: 'h-a' }])),
          [['a', undefined]],
          'state is per sync',
        );
        assert.deepEqual(
          entries(
            await store.differing('s1', [
              { key: 'a', hash: 'h-a' },
              { key: 'b', hash: 'h-b' },
            ]),
          ),
          [],
          'an unchanged batch returns nothing',
        );
        assert.deepEqual(await store.listUnseen('s1', 'e2', { limit: 10 }), [state('a'), state('b')]);
      }),
    );

    test(
      'diffs of every size return exactly the new and changed records (padded lists, chunks)',
      withStore(async (store) => {
        const stored = Array.from({ length: 1500 }, (_, index) => `key-${index}`);
        await store.commit('s1', {
          executionId: 'e1',
          upserts: stored.map((key) => state(key)),
          deletes: [],
          seen: [],
        });
        for (const size of [1, 2, 9, 10, 11, 99, 100, 101, 299, 300, 301, 999, 1000, 1001, 2100]) {
          // Unchanged, changed and unknown keys in turn (the first is unchanged, and pads the list): padding must not
          // invent or lose any.
          const asked = Array.from({ length: size }, (_, index) => {
            const key = index % 3 === 2 || index >= 1500 ? `absent-${index}` : `key-${index}`;
            return { key, hash: index % 3 === 1 ? 'changed' : `h-${key}` };
          });
          const isStored = (key: string) => key.startsWith('key-');
          const expected = asked
            .filter(({ key, hash }) => !isStored(key) || hash !== `h-${key}`)
            .map(({ key }): [string, string | undefined] => [key, isStored(key) ? `h-${key}` : undefined]);
          assert.deepEqual(
            entries(await store.differing('s1', asked)),
            expected.sort((left, right) => (left[0] < right[0] ? -1 : 1)),
            `size ${size}`,
          );
        }
      }),
    );

    test(
      'commit overwrites hashes and deletes keys; count follows',
      withStore(async (store) => {
        await store.commit('s1', {
          executionId: 'e1',
          upserts: [state('a'), state('b'), state('c')],
          deletes: [],
          seen: [],
        });
        await store.commit('s1', { executionId: 'e2', upserts: [state('a', 'new')], deletes: ['b'], seen: [] });
        const found = await store.differing(
          's1',
          ['a', 'b', 'c'].map((key) => ({ key, hash: 'asked' })),
        );
        assert.deepEqual(entries(found), [
          ['a', 'new'],
          ['b', undefined],
          ['c', 'h-c'],
        ]);
        assert.equal(await store.count('s1'), 2);
      }),
    );

    test(
      'listUnseen pages in key order past keys seen or upserted by the execution',
      withStore(async (store) => {
        const keys = Array.from({ length: 25 }, (_, index) => `k${String(index).padStart(2, '0')}`);
        await store.commit('s1', { executionId: 'e1', upserts: keys.map((key) => state(key)), deletes: [], seen: [] });
        await store.commit('s1', {
          executionId: 'e2',
          upserts: [state('k03', 'changed')],
          deletes: [],
          seen: ['k00', 'k10', 'missing'],
        });
        const unseen: string[] = [];
        let afterKey: string | undefined;
        for (;;) {
          const page = await store.listUnseen('s1', 'e2', { afterKey, limit: 7 });
          if (page.length === 0) break;
          assert.ok(page.length <= 7);
          unseen.push(...page.map((entry) => entry.key));
          afterKey = page.at(-1)!.key;
        }
        assert.deepEqual(
          unseen,
          keys.filter((key) => !['k00', 'k03', 'k10'].includes(key)),
        );
        assert.equal(await store.count('s1'), 25, 'marking seen never adds keys');
      }),
    );

    test(
      'many keys in one lookup and commit (chunked statements)',
      withStore(async (store) => {
        const keys = Array.from({ length: 2300 }, (_, index) => `key-${index}`);
        await store.commit('s1', { executionId: 'e1', upserts: keys.map((key) => state(key)), deletes: [], seen: [] });
        assert.equal(
          (
            await store.differing(
              's1',
              keys.map((key) => ({ key, hash: 'changed' })),
            )
          ).size,
          2300,
        );
        assert.equal(
          (
            await store.differing(
              's1',
              keys.map((key) => ({ key, hash: `h-${key}` })),
            )
          ).size,
          0,
        );
        await store.commit('s1', { executionId: 'e2', upserts: [], deletes: keys.slice(0, 1200), seen: [] });
        assert.equal(await store.count('s1'), 1100);
      }),
    );

    test(
      'forEachHash hands over the key and hash of every state of the sync, more than a page, until told to stop',
      withStore(async (store) => {
        // 10,000 a page in the Kysely store: 21,000 keys take three.
        const keys = Array.from({ length: 21_000 }, (_, index) => `k${String(index).padStart(5, '0')}`);
        for (let start = 0; start < keys.length; start += 5000) {
          await store.commit('s1', {
            executionId: 'e1',
            upserts: keys.slice(start, start + 5000).map((key) => state(key)),
            deletes: [],
            seen: [],
          });
        }
        await store.commit('s2', { executionId: 'e1', upserts: [state('other')], deletes: [], seen: [] });
        const seen = new Map<string, string>();
        await store.forEachHash('s1', (key, hash) => {
          seen.set(key, hash);
          return true;
        });
        assert.equal(seen.size, keys.length);
        assert.ok(
          keys.every((key) => seen.get(key) === `h-${key}`),
          'every key with its hash, no other sync',
        );
        let taken = 0;
        await store.forEachHash('s1', () => ++taken < 3);
        assert.equal(taken, 3, 'stops when take returns false');
        await store.forEachHash('none', () => assert.fail('a sync without state has no pairs'));
      }),
    );

    test(
      'baseline is set once; clear forgets state and baseline',
      withStore(async (store) => {
        assert.equal(await store.baseline('s1'), undefined);
        await store.establishBaseline('s1', { executionId: 'e1', establishedAt: '2026-01-01T00:00:00.000Z' });
        await store.establishBaseline('s1', { executionId: 'e2', establishedAt: '2026-01-02T00:00:00.000Z' });
        assert.deepEqual(await store.baseline('s1'), { executionId: 'e1', establishedAt: '2026-01-01T00:00:00.000Z' });
        await store.commit('s1', { executionId: 'e1', upserts: [state('a')], deletes: [], seen: [] });
        await store.clear('s1');
        assert.equal(await store.baseline('s1'), undefined);
        assert.equal(await store.count('s1'), 0);
      }),
    );

    test(
      'identity values keep their JSON types; keys are exact strings',
      withStore(async (store) => {
        await store.commit('s1', {
          executionId: 'e1',
          upserts: [
            { key: '1', hash: 'x', identity: { id: 1 } },
            { key: '"1"', hash: 'y', identity: { id: '1' } },
          ],
          deletes: [],
          seen: [],
        });
        const found = await store.differing('s1', [
          { key: '1', hash: 'y' },
          { key: '"1"', hash: 'y' },
        ]);
        assert.deepEqual(entries(found), [['1', 'x']]);
        const unseen = await store.listUnseen('s1', 'e2', { limit: 10 });
        assert.deepEqual(Object.fromEntries(unseen.map((entry) => [entry.key, entry.identity])), {
          '1': { id: 1 },
          '"1"': { id: '1' },
        });
      }),
    );
  });
}
