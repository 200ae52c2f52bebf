// The strategy table of src/engine/bulk/schema-strategy.ts, one row at a time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BulkCheckpoint } from '../../../src/engine/bulk/checkpoint-store.ts';
import { mapSchema } from '../../../src/engine/bulk/schema-mapping.ts';
import { decideStrategy, type StrategyInput } from '../../../src/engine/bulk/schema-strategy.ts';
import type { SchemaDescription } from '../../../src/connectors/records.ts';

const field = (id: string, primary = false) => ({
  id,
  name: id,
  type: 'string' as const,
  remote_type: 'text',
  is_primary_key: primary,
  nullable: !primary,
});
const keyed: SchemaDescription = {
  id: 'public.t',
  name: 'public.t',
  fields: [field('id', true), field('updated_at'), field('name')],
};
const loose: SchemaDescription = { id: 'public.t', name: 'public.t', fields: [field('updated_at'), field('name')] };
const options = {
  mode: 'replicate' as const,
  normalizeNames: 'enabled' as const,
  destinationNamespace: undefined,
  sourceDialect: 'postgresql',
  executionTimestamp: '2025-01-01T00:00:00.000Z',
};

function decide(overrides: Partial<StrategyInput> & { schema?: SchemaDescription; tracking?: string }) {
  const mapping = mapSchema(
    overrides.schema ?? keyed,
    { schemaId: 'public.t', trackingField: overrides.tracking },
    { ...options, mode: overrides.mode ?? 'replicate' },
  );
  return decideStrategy({
    mapping,
    mode: 'replicate',
    fetchMode: 'none',
    resyncMode: 'normal',
    executionId: 'now',
    checkpoint: undefined,
    dataCutoffTimestamp: undefined,
    ...overrides,
  });
}
const previous = (overrides: Partial<BulkCheckpoint> = {}): BulkCheckpoint => ({
  syncId: 's',
  schemaId: 'public.t',
  executionId: 'before',
  phase: 'completed',
  cursorField: 'updated_at',
  cursor: '2024-05-01T00:00:00Z',
  rows: 10,
  ...overrides,
});

test('normal with a tracking field and a saved cursor is incremental and inclusive', () => {
  const strategy = decide({ tracking: 'updated_at', checkpoint: previous() });
  assert.deepEqual(
    [strategy.incremental, strategy.after, strategy.inclusive, strategy.preparation, strategy.writeMode],
    [true, '2024-05-01T00:00:00Z', true, 'none', 'upsert'],
  );
});

test('fetch_mode full, refetch, resync and rebuild read everything', () => {
  for (const [input, preparation] of [
    [{ fetchMode: 'full' }, 'none'],
    [{ resyncMode: 'refetch' }, 'none'],
    [{ resyncMode: 'resync' }, 'truncate'],
    [{ resyncMode: 'rebuild' }, 'rebuild'],
  ] as const) {
    const strategy = decide({ tracking: 'updated_at', checkpoint: previous(), ...input });
    assert.deepEqual(
      [strategy.incremental, strategy.after, strategy.preparation],
      [false, undefined, preparation],
      JSON.stringify(input),
    );
  }
});

test('no primary key: truncate and insert, with a warning; resumed: truncate again', () => {
  const fresh = decide({ schema: loose });
  assert.deepEqual([fresh.preparation, fresh.writeMode, fresh.warnings.length], ['truncate', 'insert', 1]);
  const resumed = decide({
    schema: loose,
    tracking: 'updated_at',
    checkpoint: previous({ executionId: 'now', phase: 'loading' }),
  });
  assert.deepEqual(
    [resumed.resume, resumed.preparation, resumed.after, resumed.rowsBefore],
    [true, 'truncate', undefined, 0],
  );
});

test('resumed attempt continues from the checkpoint; a completed schema is skipped', () => {
  const resumed = decide({
    checkpoint: previous({ executionId: 'now', phase: 'loading', cursorField: 'id', cursor: 500, rows: 500 }),
  });
  assert.deepEqual(
    [resumed.resume, resumed.after, resumed.inclusive, resumed.rowsBefore, resumed.destinationFresh],
    [true, 500, false, 500, false],
  );
  assert.equal(decide({ checkpoint: previous({ executionId: 'now' }) }).skip, true);
});

test('data cutoff raises the lower bound only when it is later', () => {
  assert.deepEqual(
    decide({ tracking: 'updated_at', dataCutoffTimestamp: '2024-01-01T00:00:00Z' }).after,
    '2024-01-01T00:00:00Z',
  );
  assert.deepEqual(
    decide({ tracking: 'updated_at', checkpoint: previous(), dataCutoffTimestamp: '2024-01-01T00:00:00Z' }).after,
    '2024-05-01T00:00:00Z',
  );
  assert.deepEqual(
    decide({ tracking: 'updated_at', checkpoint: previous(), dataCutoffTimestamp: '2024-09-01T00:00:00Z' }).after,
    '2024-09-01T00:00:00Z',
  );
  assert.equal(decide({ dataCutoffTimestamp: '2024-09-01T00:00:00Z' }).warnings.length, 1);
});
