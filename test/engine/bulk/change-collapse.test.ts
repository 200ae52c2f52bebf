// The collapse rules of one batch of changes (src/engine/bulk/change-collapse.ts), without a destination.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Change } from '../../../src/connectors/change-capture.ts';
import { collapseChanges } from '../../../src/engine/bulk/change-collapse.ts';

const s = 'public.items';
const up = (row: Record<string, unknown>, unchanged?: string[]): Change => ({
  kind: 'upsert',
  schemaId: s,
  row,
  ...(unchanged ? { unchanged } : {}),
});
const del = (id: number): Change => ({ kind: 'delete', schemaId: s, key: { id } });

test('collapse: the last change of a key wins; a delete after upserts is one delete', () => {
  const steps = collapseChanges(
    [up({ id: 1, v: 'a' }), up({ id: 2, v: 'b' }), up({ id: 1, v: 'c' }), del(2), up({ id: 3, v: 'x' }), del(3)],
    ['id'],
  );
  assert.deepEqual(steps, [
    { kind: 'delete', keys: [{ id: 2 }, { id: 3 }] },
    { kind: 'upsert', rows: [{ id: 1, v: 'c' }] },
  ]);
});

test('collapse: a delete then an insert of one key is the insert', () => {
  assert.deepEqual(collapseChanges([del(1), up({ id: 1, v: 'new' })], ['id']), [
    { kind: 'upsert', rows: [{ id: 1, v: 'new' }] },
  ]);
});

test('collapse: unchanged fields take the earlier upsert value, else are left out and written apart', () => {
  const steps = collapseChanges(
    [
      up({ id: 1, v: 'a', doc: 'big' }),
      up({ id: 1, v: 'b', doc: null }, ['doc']),
      up({ id: 2, v: 'c', doc: null }, ['doc']),
      up({ id: 3, v: 'd', doc: 'x' }),
    ],
    ['id'],
  );
  assert.deepEqual(steps, [
    {
      kind: 'upsert',
      rows: [
        { id: 1, v: 'b', doc: 'big' },
        { id: 3, v: 'd', doc: 'x' },
      ],
    },
    { kind: 'upsert', rows: [{ id: 2, v: 'c' }] },
  ]);
});

test('collapse: nothing before a truncate is written; schema barriers keep their place', () => {
  const fields = [{ id: 'id', name: 'id', type: 'number', remote_type: 'int', is_primary_key: true, nullable: false }];
  const steps = collapseChanges(
    [
      up({ id: 1, v: 'gone' }),
      { kind: 'truncate', schemaId: s },
      up({ id: 2, v: 'kept' }),
      { kind: 'schema', schemaId: s, fields: fields as never },
      up({ id: 2, v: 'after', extra: 1 }),
    ],
    ['id'],
  );
  assert.deepEqual(
    steps.map((step) => step.kind),
    ['truncate', 'upsert', 'schema', 'upsert'],
  );
  assert.deepEqual(steps[1], { kind: 'upsert', rows: [{ id: 2, v: 'kept' }] });
  assert.deepEqual(steps[3], { kind: 'upsert', rows: [{ id: 2, v: 'after', extra: 1 }] });
});

test('collapse: composite keys and typed values (bigint, Buffer, Date) are keys by value', () => {
  const at = (ms: number) => new Date(ms);
  const steps = collapseChanges(
    [
      up({ a: 1n, b: Buffer.from('x'), c: at(5), v: 1 }),
      up({ a: 1n, b: Buffer.from('x'), c: at(5), v: 2 }),
      up({ a: 1n, b: Buffer.from('y'), c: at(5), v: 3 }),
    ],
    ['a', 'b', 'c'],
  );
  assert.equal(steps.length, 1);
  assert.deepEqual(
    (steps[0] as unknown as { rows: Array<{ v: number }> }).rows.map((row) => row.v),
    [2, 3],
  );
});

test('collapse: a table without a key keeps order; each upsert deletes its equal rows first', () => {
  const steps = collapseChanges(
    [up({ v: 'a' }), up({ v: 'b' }), { kind: 'delete', schemaId: s, key: { v: 'a' } }, del(9)],
    [],
  );
  assert.deepEqual(steps, [
    { kind: 'delete', keys: [{ v: 'a' }] },
    { kind: 'insert', rows: [{ v: 'a' }] },
    { kind: 'delete', keys: [{ v: 'b' }] },
    { kind: 'insert', rows: [{ v: 'b' }] },
    { kind: 'delete', keys: [{ v: 'a' }, { id: 9 }] },
  ]);
});
