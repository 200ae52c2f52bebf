// The columns a run asks its model source for: everything the plan reads of a model row, nothing it does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelFieldsRead } from '../../../src/engine/model-sync/model-fields-read.ts';
import type { ModelSyncPlan } from '../../../src/engine/model-sync/model-sync-plan.ts';

const plan = (extra: Partial<ModelSyncPlan>): ModelSyncPlan =>
  ({
    syncId: 's',
    executionId: 'e',
    mode: 'updateOrCreate',
    identity: { source: { field: 'email' }, target: 'email', function: 'Equality' },
    fields: [
      { source: { field: 'name' }, target: 'full_name' },
      { source: { field: 'ignored' }, target: 'tier', override_value: 'gold' },
    ],
    ...extra,
  }) as ModelSyncPlan;

test('the identity and mapped fields, not a field whose constant overrides it', () => {
  assert.deepEqual([...modelFieldsRead(plan({}))].sort(), ['email', 'name']);
});

test('model filters, overrides and override fields add their model fields; a Target filter adds none', () => {
  const fields = modelFieldsRead(
    plan({
      override_fields: [{ source: { field: 'seats' }, target: 'seats' }],
      filters: [
        { field: { field: 'plan' }, function: 'Equality', value: 'pro' },
        { field_id: 'region', function: 'IsNotNull' },
        { field_type: 'Target', field_id: 'full_name', function: 'IsNotNull' },
      ],
      overrides: [{ field_id: 'country', function: 'Equality', value: 'FR', override: 'France' }],
    }),
  );
  assert.deepEqual([...fields].sort(), ['country', 'email', 'name', 'plan', 'region', 'seats']);
});
