// The shared StateStore suite: every implementation runs these cases (style point 3).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';

export interface StateStoreSubject {
  store: StateStore;
  dispose(): Promise<void>;
}

const state = (key: string, hash = `h-${key}`) => ({ key, hash, identity: { email: key } });

export function stateStoreCases(name: string, open: () => Promise<StateStoreSubject>): void {
  describe(`StateStore: ${name}`, () => {
    const withStore = (body: (store: StateStore) => Promise<void>) => async () => {
      const subject = await open();
      try {
        await body(subject.store);
      } finally {
        await subject.dispose();
      }
    };

    test('lookup returns only stored keys, with their hashes; listUnseen gives the identities', withStore(async (store) => {
      await store.commit('s1', { executionId: 'e1', upserts: [state('a'), state('b')], deletes: [], seen: [] });
      const found = await store.lookup('s1', ['a', 'c', 'b', 'a']);
      assert.deepEqual([...found.entries()].sort(), [['a', 'h-a'], ['b', 'h-b']]);
      assert.equal((await store.lookup('other', ['a'])).size, 0, 'state is per sync');
      assert.deepEqual(await store.listUnseen('s1', 'e2', { limit: 10 }), [state('a'), state('b')]);
    }));

    test('lookups of every size find exactly the stored keys (padded IN lists, chunks)', withStore(async (store) => {
      const stored = Array.from({ length: 1500 }, (_, index) => `key-${index}`);
      await store.commit('s1', { executionId: 'e1', upserts: stored.map((key) => state(key)), deletes: [], seen: [] });
      for (const size of [1, 2, 9, 10, 11, 99, 100, 101, 299, 300, 301, 999, 1000, 1001, 2100]) {
        // Every other key asked for is unknown: padding must not invent or lose any.
        const asked = Array.from({ length: size }, (_, index) => (index % 2 === 0 ? `key-${(index * 7) % 1500}` : `absent-${index}`));
        const found = await store.lookup('s1', asked);
        const expected = new Set(asked.filter((key) => key.startsWith('key-')));
        assert.deepEqual([...found.keys()].sort(), [...expected].sort(), `size ${size}`);
        for (const [key, hash] of found) assert.equal(hash, `h-${key}`);
      }
    }));

    test('commit overwrites hashes and deletes keys; count follows', withStore(async (store) => {
      await store.commit('s1', { executionId: 'e1', upserts: [state('a'), state('b'), state('c')], deletes: [], seen: [] });
      await store.commit('s1', { executionId: 'e2', upserts: [state('a', 'new')], deletes: ['b'], seen: [] });
      const found = await store.lookup('s1', ['a', 'b', 'c']);
      assert.equal(found.get('a'), 'new');
      assert.equal(found.has('b'), false);
      assert.equal(await store.count('s1'), 2);
    }));

    test('listUnseen pages in key order past keys seen or upserted by the execution', withStore(async (store) => {
      const keys = Array.from({ length: 25 }, (_, index) => `k${String(index).padStart(2, '0')}`);
      await store.commit('s1', { executionId: 'e1', upserts: keys.map((key) => state(key)), deletes: [], seen: [] });
      await store.commit('s1', { executionId: 'e2', upserts: [state('k03', 'changed')], deletes: [], seen: ['k00', 'k10', 'missing'] });
      const unseen: string[] = [];
      let afterKey: string | undefined;
      for (;;) {
        const page = await store.listUnseen('s1', 'e2', { afterKey, limit: 7 });
        if (page.length === 0) break;
        assert.ok(page.length <= 7);
        unseen.push(...page.map((entry) => entry.key));
        afterKey = page.at(-1)!.key;
      }
      assert.deepEqual(unseen, keys.filter((key) => !['k00', 'k03', 'k10'].includes(key)));
      assert.equal(await store.count('s1'), 25, 'marking seen never adds keys');
    }));

    test('many keys in one lookup and commit (chunked statements)', withStore(async (store) => {
      const keys = Array.from({ length: 2300 }, (_, index) => `key-${index}`);
      await store.commit('s1', { executionId: 'e1', upserts: keys.map((key) => state(key)), deletes: [], seen: [] });
      assert.equal((await store.lookup('s1', keys)).size, 2300);
      await store.commit('s1', { executionId: 'e2', upserts: [], deletes: keys.slice(0, 1200), seen: [] });
      assert.equal(await store.count('s1'), 1100);
    }));

    test('baseline is set once; clear forgets state and baseline', withStore(async (store) => {
      assert.equal(await store.baseline('s1'), undefined);
      await store.establishBaseline('s1', { executionId: 'e1', establishedAt: '2026-01-01T00:00:00.000Z' });
      await store.establishBaseline('s1', { executionId: 'e2', establishedAt: '2026-01-02T00:00:00.000Z' });
      assert.deepEqual(await store.baseline('s1'), { executionId: 'e1', establishedAt: '2026-01-01T00:00:00.000Z' });
      await store.commit('s1', { executionId: 'e1', upserts: [state('a')], deletes: [], seen: [] });
      await store.clear('s1');
      assert.equal(await store.baseline('s1'), undefined);
      assert.equal(await store.count('s1'), 0);
    }));

    test('identity values keep their JSON types; keys are exact strings', withStore(async (store) => {
      await store.commit('s1', { executionId: 'e1', upserts: [{ key: '1', hash: 'x', identity: { id: 1 } }, { key: '"1"', hash: 'y', identity: { id: '1' } }], deletes: [], seen: [] });
      const found = await store.lookup('s1', ['1', '"1"']);
      assert.deepEqual([found.get('1'), found.get('"1"')], ['x', 'y']);
      const unseen = await store.listUnseen('s1', 'e2', { limit: 10 });
      assert.deepEqual(Object.fromEntries(unseen.map((entry) => [entry.key, entry.identity])), { '1': { id: 1 }, '"1"': { id: '1' } });
    }));
  });
}
