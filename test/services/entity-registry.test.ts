// The entity registry remembers which type each id turned out to be, so that the next lookup asks that resolver
// first; existence and tenancy are still checked by the resolver on every lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEntityRegistry, type EntityResolver, type EntityViewer } from '../../src/services/entity-registry.ts';

function tableResolver(type: string, rows: Map<string, string>, calls: string[]): EntityResolver {
  return {
    type,
    async resolve(id, viewer) {
      calls.push(type);
      const organizationId = rows.get(id);
      if (!organizationId || (viewer.kind === 'organization' && viewer.organizationId !== organizationId))
        return undefined;
      return { id, type, organizationId, canonicalPath: `/api/${type}s/${id}` };
    },
  };
}

const inA: EntityViewer = { kind: 'organization', organizationId: 'org-a' };
const inB: EntityViewer = { kind: 'organization', organizationId: 'org-b' };

test('a known id is asked of its own resolver first; others, unknown ids and other tenants still get the full answer', async () => {
  const calls: string[] = [];
  const users = new Map([['user-1', 'org-a']]);
  const executions = new Map([['execution-1', 'org-a']]);
  const registry = createEntityRegistry();
  registry.register(tableResolver('organization', new Map(), calls));
  registry.register(tableResolver('user', users, calls));
  registry.register(tableResolver('bulk_sync_execution', executions, calls));

  assert.equal((await registry.lookup('execution-1', inA))?.type, 'bulk_sync_execution');
  assert.deepEqual(calls.splice(0), ['organization', 'user', 'bulk_sync_execution']);
  assert.equal((await registry.lookup('execution-1', inA))?.type, 'bulk_sync_execution');
  assert.deepEqual(calls.splice(0), ['bulk_sync_execution'], 'the second lookup asks one resolver');

  assert.equal(await registry.lookup('execution-1', inB), undefined, 'another tenant still gets nothing');
  assert.deepEqual(calls.splice(0), ['bulk_sync_execution', 'organization', 'user']);

  executions.delete('execution-1');
  assert.equal(await registry.lookup('execution-1', inA), undefined, 'a deleted entity is gone at once');
  assert.equal(await registry.lookup('nothing', inA), undefined);
  assert.equal((await registry.lookup('user-1', inA))?.type, 'user');
  assert.deepEqual(registry.types(), ['organization', 'user', 'bulk_sync_execution']);
});

test('with a cache, a found entity is served from memory per viewer until it expires or this process writes', async () => {
  const calls: string[] = [];
  const syncs = new Map([['sync-1', 'org-a']]);
  let clock = 1_000;
  const registry = createEntityRegistry({ cacheTtlMs: 1_000, now: () => clock });
  registry.register(tableResolver('sync', syncs, calls));

  assert.equal((await registry.lookup('sync-1', inA))?.type, 'sync');
  assert.equal((await registry.lookup('sync-1', inA))?.type, 'sync');
  assert.deepEqual(calls.splice(0), ['sync'], 'the second lookup is answered from memory');
  assert.equal(
    await registry.lookup('sync-1', inB),
    undefined,
    'the cache is per viewer: another tenant still gets nothing',
  );
  assert.equal(await registry.lookup('sync-1', inB), undefined);
  assert.deepEqual(calls.splice(0), ['sync', 'sync'], 'misses are never cached');

  syncs.delete('sync-1');
  registry.forgetCached();
  assert.equal(await registry.lookup('sync-1', inA), undefined, "this process's write empties the cache at once");

  syncs.set('sync-1', 'org-a');
  await registry.lookup('sync-1', inA);
  syncs.delete('sync-1');
  clock += 999;
  assert.equal(
    (await registry.lookup('sync-1', inA))?.type,
    'sync',
    "another process's delete shows only after the time to live",
  );
  clock += 1;
  assert.equal(await registry.lookup('sync-1', inA), undefined);
});

test('a lookup that started before a write does not store what it read', async () => {
  const rows = new Map([['model-1', 'org-a']]);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let slow = true;
  const registry = createEntityRegistry({ cacheTtlMs: 60_000 });
  registry.register({
    type: 'model',
    async resolve(id) {
      const organizationId = rows.get(id);
      if (slow) await gate;
      return organizationId ? { id, type: 'model', organizationId, canonicalPath: `/api/models/${id}` } : undefined;
    },
  });
  const pending = registry.lookup('model-1', inA);
  rows.delete('model-1');
  registry.forgetCached();
  release();
  assert.equal((await pending)?.type, 'model', 'the read raced the delete and saw the row');
  slow = false;
  assert.equal(await registry.lookup('model-1', inA), undefined, 'but the stale read was not cached');
});
