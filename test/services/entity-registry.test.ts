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
      if (!organizationId || (viewer.kind === 'organization' && viewer.organizationId !== organizationId)) return undefined;
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
