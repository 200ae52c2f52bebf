// Record hashes are persisted in the state, and append/create key on them: a hash that changed for the same record
// would resend every row once (duplicates in append targets). These pins were computed with the first
// implementation (sort every object's keys, createHash per row) and must never change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonicalJson, recordHash, recordJson, valueJson } from '../../../src/engine/model-sync/record-hash.ts';
import {
  compileRecordJson,
  compileRecordMapper,
  compileRecordMatcher,
} from '../../../src/engine/model-sync/record-mapper.ts';

const pinned: Array<[string, Record<string, unknown>, string]> = [
  [
    '2-ifsXO8aKjuXnkfXOZchD',
    { email: 'user1@example.com', full_name: 'Person 1', tier: 'free', seats: 1 },
    '{"email":"user1@example.com","full_name":"Person 1","seats":1,"tier":"free"}',
  ],
  [
    '2-ifsXO8aKjuXnkfXOZchD',
    { seats: 1, tier: 'free', full_name: 'Person 1', email: 'user1@example.com' },
    '{"email":"user1@example.com","full_name":"Person 1","seats":1,"tier":"free"}',
  ],
  [
    'KvTvfG5ylPh1uWGExLU5Wi',
    {
      id: 42,
      amount: '12.50',
      ratio: 0.1,
      big: 12345678901234567890n,
      active: true,
      off: false,
      missing: null,
      gone: undefined,
    },
    '{"active":true,"amount":"12.50","big":"12345678901234567890","gone":null,"id":42,"missing":null,"off":false,"ratio":0.1}',
  ],
  [
    'GdMlYj3Yz_Oiw7ZgylXCt5',
    {
      at: new Date('2026-01-01T00:00:00Z'),
      bytes: Buffer.from([0, 1, 2, 255]),
      tags: ['b', 'a', null, 3],
      doc: { z: 1, a: { y: [1, { d: 2, c: 1 }], x: 'é ✓ "quoted"\nline' } },
    },
    '{"at":"2026-01-01T00:00:00.000Z","bytes":{"$binary":"AAEC/w=="},"doc":{"a":{"x":"é ✓ \\"quoted\\"\\nline","y":[1,{"c":1,"d":2}]},"z":1},"tags":["b","a",null,3]}',
  ],
  [
    'DfUyGYwuqG60QGYjyXmHrj',
    { Zeta: 1, alpha: 2, ä: 3, '10': 4, '9': 5, 'émoji 😀': '😀', '': 'empty key' },
    '{"":"empty key","10":4,"9":5,"Zeta":1,"alpha":2,"ä":3,"émoji 😀":"😀"}',
  ],
  [
    'hpAQnpVeUrG2b7JBXk4B09',
    { n: -0, inf: Infinity, nan: NaN, tiny: 1e-7, huge: 1e21, neg: -3.5 },
    '{"huge":1e+21,"inf":null,"n":0,"nan":null,"neg":-3.5,"tiny":1e-7}',
  ],
  ['RBNvo1WzZ4oRRq0W9-hknp', {}, '{}'],
];

test('record hashes and canonical JSON are pinned: the same record hashes the same across versions', () => {
  for (const [hash, record, json] of pinned) {
    assert.equal(recordJson(record), json);
    assert.equal(canonicalJson(record), json);
    assert.equal(recordHash(record), hash, json);
  }
});

test('records of changing shapes, one after another, each hash as their own sorted JSON', () => {
  // The hasher remembers the last shape's key order; a different shape (more, fewer or other keys) must not reuse it.
  const sequence = [...pinned, ...pinned.slice().reverse(), ...pinned];
  for (const [hash, record] of sequence) assert.equal(recordHash(record), hash);
  assert.equal(recordJson({ a: 1, b: 2 }), '{"a":1,"b":2}');
  assert.equal(recordJson({ a: 1, c: 2 }), '{"a":1,"c":2}');
  assert.equal(recordJson({ a: 1 }), '{"a":1}');
  assert.equal(recordJson({ b: 2, a: 1 }), '{"a":1,"b":2}');
  assert.equal(recordJson({ a: 1, b: 2, c: 3 }), '{"a":1,"b":2,"c":3}');
});

test('property: valueJson of a string or number is exactly JSON.stringify (escapes, surrogates, -0, non-finite)', () => {
  const texts = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({
      unit: fc.constantFrom(
        '"',
        '\\',
        '\n',
        '\u0000',
        '\u001f',
        '\u007f',
        '\u2028',
        '\ud800',
        '\udc00',
        'é',
        '😀',
        'a',
      ),
    }),
  );
  fc.assert(
    fc.property(texts, (text) => valueJson(text) === JSON.stringify(text)),
    { numRuns: 2000 },
  );
  const numbers = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 1e-7, Number.MAX_SAFE_INTEGER),
  );
  fc.assert(
    fc.property(numbers, (number) => valueJson(number) === JSON.stringify(number)),
    { numRuns: 2000 },
  );
});

test('property: compileRecordJson(plan)(row) is recordJson of the mapped record, for any mapping and values', () => {
  const name = fc.constantFrom('a', 'b', 'email', 'Zeta', 'ä', '10', '', 'x y', '__proto__');
  const value = fc.oneof(
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: true }),
    fc.jsonValue(),
  );
  const field = fc.record({
    source: fc.option(fc.record({ field: name }), { nil: undefined }),
    target: name,
    override_value: fc.option(fc.string(), { nil: undefined }),
  });
  const planArbitrary = fc.record({
    identity: fc.option(
      fc.record({ source: fc.record({ field: name }), target: name, function: fc.constant('Equality' as const) }),
      { nil: undefined },
    ),
    fields: fc.array(field, { maxLength: 6 }),
    override_fields: fc.option(fc.array(field, { maxLength: 2 }), { nil: undefined }),
  });
  fc.assert(
    fc.property(planArbitrary, fc.dictionary(name, value), (plan, row) => {
      const json = compileRecordJson(plan);
      // A "__proto__" target is left to the mapper (its record takes it as the prototype): no compiled JSON then.
      if (!json)
        return [plan.identity, ...plan.fields, ...(plan.override_fields ?? [])].some(
          (mapped) => mapped?.target === '__proto__',
        );
      return json(row) === recordJson(compileRecordMapper(plan, new Date())(row));
    }),
    { numRuns: 1000 },
  );
  assert.equal(
    compileRecordJson({ fields: [], overrides: [{ field_id: 'a', override: 'x' }] }),
    undefined,
    'overrides depend on the row: no compiled JSON',
  );
});

test('property: compileRecordMatcher(plan)(row, json) tells exactly whether compileRecordJson(plan)(row) is json', () => {
  const name = fc.constantFrom('a', 'b', 'email', 'ä', '10', '');
  const text = fc.oneof(fc.string(), fc.constantFrom('x', 'x"', 'a\\b', '","b":"', '}', '{', ''));
  const value = fc.oneof(
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.jsonValue(),
  );
  const field = fc.record({
    source: fc.option(fc.record({ field: name }), { nil: undefined }),
    target: name,
    override_value: fc.option(fc.string(), { nil: undefined }),
  });
  const planArbitrary = fc.record({
    identity: fc.option(
      fc.record({ source: fc.record({ field: name }), target: name, function: fc.constant('Equality' as const) }),
      { nil: undefined },
    ),
    fields: fc.array(field, { maxLength: 5 }),
  });
  // The JSON to match: the row's own, another row's, or the row's with a piece cut, added or changed.
  const edit = fc.oneof(
    fc.constant((json: string) => json),
    fc.nat().map((at) => (json: string) => json.slice(0, at % (json.length + 1))),
    fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(
      ([at, piece]) =>
        (json: string) =>
          json.slice(0, at % (json.length + 1)) + piece + json.slice(at % (json.length + 1)),
    ),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(
      ([at, piece]) =>
        (json: string) =>
          json.slice(0, at % (json.length + 1)) + piece + json.slice((at % (json.length + 1)) + 1),
    ),
  );
  fc.assert(
    fc.property(
      planArbitrary,
      fc.dictionary(name, value),
      fc.dictionary(name, value),
      fc.boolean(),
      edit,
      (plan, row, other, useOther, change) => {
        const json = compileRecordJson(plan);
        const matches = compileRecordMatcher(plan);
        if (!json || !matches) return json === undefined && matches === undefined;
        const candidate = change(json(useOther ? other : row));
        return matches(row, candidate) === (json(row) === candidate);
      },
    ),
    { numRuns: 3000 },
  );
});
