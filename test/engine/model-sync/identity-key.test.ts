// Identity keys and record hashes: what counts as the same record, and keys that fit an index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identityKeyFunction } from '../../../src/engine/model-sync/identity-key.ts';
import { canonicalJson, recordHash } from '../../../src/engine/model-sync/record-hash.ts';

const equality = identityKeyFunction({ source: { field: 'id' }, target: 'id', function: 'Equality' });
const insensitive = identityKeyFunction({ source: { field: 'id' }, target: 'id', function: 'ISubstring' });

test('Equality keeps types apart; ISubstring folds case, spaces and types', () => {
  assert.notEqual(equality({ id: 1 }), equality({ id: '1' }));
  assert.equal(equality({ id: null }), undefined);
  assert.equal(insensitive({ id: ' A@X.com ' }), insensitive({ id: 'a@x.com' }));
  assert.equal(insensitive({ id: 1 }), insensitive({ id: '1' }));
  assert.equal(insensitive({ id: '   ' }), undefined);
});

test('long identity values become a fixed-size digest key, still distinct', () => {
  const long = 'x'.repeat(5000);
  const key = equality({ id: long })!;
  assert.match(key, /^#sha256:[\w-]{43}$/);
  assert.notEqual(key, equality({ id: `${long}y` }));
  assert.equal(equality({ id: 'short' }), '"short"');
});

test('record hash ignores field order and encodes Buffers and Dates stably', () => {
  assert.equal(recordHash({ a: 1, b: [1, { c: 2, d: 3 }] }), recordHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
  assert.notEqual(recordHash({ a: 1 }), recordHash({ a: '1' }));
  assert.equal(
    canonicalJson({ bytes: Buffer.from('hi'), at: new Date('2026-01-01T00:00:00Z'), n: null, u: undefined }),
    '{"at":"2026-01-01T00:00:00.000Z","bytes":{"$binary":"aGk="},"n":null,"u":null}',
  );
  assert.equal(recordHash({ a: 1 }).length, 22);
});
