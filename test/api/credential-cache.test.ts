import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCredentialCache } from '../../src/api/auth/credential-cache.ts';
import type { Caller } from '../../src/api/auth/caller.ts';

const caller: Caller = { kind: 'user', keyId: 'k', partnerId: 'p', organizationId: 'o', organizationName: 'O' };

test('entries expire after the TTL, are cleared at once, and the oldest goes first when full', () => {
  let now = 1000;
  const cache = createCredentialCache({ ttlMs: 10_000, maxEntries: 2, now: () => now });
  cache.set('a', caller);
  assert.equal(cache.get('a'), caller);
  now += 10_000;
  assert.equal(cache.get('a'), undefined, 'a revoked key is forgotten within the TTL');
  cache.set('a', caller);
  cache.set('b', caller);
  cache.set('c', caller);
  assert.equal(cache.get('a'), undefined, 'capacity evicts the oldest');
  assert.equal(cache.get('c'), caller);
  cache.clear();
  assert.equal(cache.get('c'), undefined);
});

test('a TTL of 0 caches nothing', () => {
  const cache = createCredentialCache({ ttlMs: 0, maxEntries: 10 });
  cache.set('a', caller);
  assert.equal(cache.get('a'), undefined);
});
