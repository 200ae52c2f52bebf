// The rule for bulk schedules due together: the strongest resync mode wins, and the selections are merged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  mergedSelection,
  needsSchemaKinds,
  strongestResyncMode,
} from '../../../src/domain/schedules/coalesced-firing.ts';

const schemas = [
  { id: 'accounts', incremental: true },
  { id: 'events', incremental: true },
  { id: 'plans', incremental: false },
  { id: 'regions', incremental: false },
];

test('rebuild > resync > refetch > normal, whatever the order', () => {
  assert.equal(strongestResyncMode([]), 'normal');
  assert.equal(strongestResyncMode([undefined, 'normal']), 'normal');
  assert.equal(strongestResyncMode(['refetch', undefined]), 'refetch');
  assert.equal(strongestResyncMode(['resync', 'refetch']), 'resync');
  assert.equal(strongestResyncMode(['refetch', 'rebuild', 'resync']), 'rebuild');
});

test('a schedule that covers every schema makes the merged run cover every schema', () => {
  assert.equal(mergedSelection([undefined, { schemas: ['plans'] }], schemas), 'all');
  assert.equal(mergedSelection([{ selective_mode: 'none' }, { schemas: ['plans'] }], schemas), 'all');
  assert.equal(needsSchemaKinds([undefined, { selective_mode: 'incrementalFields' }]), false);
});

test('selective modes select by tracking field, within `schemas` when both are set, and merge in schema order', () => {
  assert.deepEqual(mergedSelection([{ selective_mode: 'incrementalFields' }], schemas), ['accounts', 'events']);
  assert.deepEqual(mergedSelection([{ selective_mode: 'nonincrementalFields' }], schemas), ['plans', 'regions']);
  assert.deepEqual(mergedSelection([{ selective_mode: 'incrementalFields', schemas: ['events', 'plans'] }], schemas), [
    'events',
  ]);
  assert.deepEqual(
    mergedSelection([{ schemas: ['regions'] }, { selective_mode: 'incrementalFields', schemas: ['events'] }], schemas),
    ['events', 'regions'],
  );
  assert.equal(needsSchemaKinds([{ schemas: ['regions'] }, { selective_mode: 'incrementalFields' }]), true);
  assert.equal(needsSchemaKinds([{ schemas: ['regions'] }]), false);
});
