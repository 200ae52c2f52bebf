// Runs the shared StateStore suite on memory and on the metadata database in every dialect available, each also
// behind the run-scoped preload (state/preloaded-state.ts) that answers the diff from memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInMemoryStateStore } from '../../../src/engine/model-sync/state/in-memory-state-store.ts';
import { createKyselyStateStore } from '../../../src/engine/model-sync/state/kysely-state-store.ts';
import { withPreloadedState } from '../../../src/engine/model-sync/state/preloaded-state.ts';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { availableDialects } from '../../kit/ferry-server.ts';
import { freshDatabase } from '../../persistence/dialects.ts';
import { stateStoreCases } from './state-store-cases.ts';

const subjects: Array<{ name: string; open: () => Promise<{ store: StateStore; dispose: () => Promise<void> }> }> = [
  { name: 'in memory', open: async () => ({ store: createInMemoryStateStore(), dispose: async () => {} }) },
];
for (const dialect of await availableDialects()) {
  subjects.push({
    name: `kysely (${dialect})`,
    open: async () => {
      const fresh = await freshDatabase(dialect);
      await migrateToLatest(fresh.database);
      return { store: createKyselyStateStore(fresh.database.db), dispose: () => fresh.dispose() };
    },
  });
}

for (const { name, open } of subjects) {
  stateStoreCases(name, open);
  // The cases' sync is s1: its diffs come from the preloaded Map, kept current by the commits; other syncs pass through.
  stateStoreCases(`${name}, preloaded`, async () => {
    const subject = await open();
    return { store: await withPreloadedState(subject.store, 's1', 1_000_000), dispose: subject.dispose };
  });

  test(`preloaded state (${name}): reads the existing state and diffs like the store; a sync over the limit is not preloaded`, async () => {
    const { store, dispose } = await open();
    try {
      const keys = Array.from({ length: 23 }, (_, index) => `key-${index}`);
      await store.commit('s1', { executionId: 'e1', upserts: keys.map((key) => ({ key, hash: `h-${key}`, identity: { email: key } })), deletes: [], seen: [] });
      const asked = [...keys.map((key, index) => ({ key, hash: index % 4 === 0 ? 'changed' : `h-${key}` })), { key: 'new', hash: 'h-new' }];
      const preloaded = await withPreloadedState(store, 's1', 23);
      assert.notEqual(preloaded, store);
      const sorted = (map: Map<string, string | undefined>) => [...map.entries()].sort((left, right) => (left[0] < right[0] ? -1 : 1));
      const expected = sorted(await store.differing('s1', asked));
      assert.equal(expected.length, 7);
      assert.deepEqual(sorted(await preloaded.differing('s1', asked)), expected);
      await preloaded.commit('s1', { executionId: 'e2', upserts: [{ key: 'new', hash: 'h-new', identity: { email: 'new' } }], deletes: ['key-1'], seen: [] });
      assert.deepEqual(sorted(await preloaded.differing('s1', asked)), sorted(await store.differing('s1', asked)));
      assert.equal(await withPreloadedState(store, 's1', 22), store, 'more keys than the limit: the store diffs');
      assert.equal(await withPreloadedState(store, 's1', 0), store, '0: never preloaded');
    } finally {
      await dispose();
    }
  });
}
