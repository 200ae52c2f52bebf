// The bulk-sync wire mapping: every stored field in the response order the API has always given (the mapping is
// built by assignment for speed, so the order is pinned here rather than implied by a literal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkSyncToWire } from '../../src/api/resources/bulk-syncs/bulk-sync-wire.ts';
import type { BulkSyncRow } from '../../src/persistence/repositories/bulk-syncs-repository.ts';

const actor = { id: 'user-1', name: 'admin@example.com', type: 'user' };
const metadata = { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-02T00:00:00Z', created_by: actor };

function row(settings: Record<string, unknown>): BulkSyncRow {
  return {
    id: 'sync-1',
    organization_id: 'org-1',
    name: 'Nightly copy',
    mode: 'replicate',
    active: 1,
    source_connection_id: 'source-1',
    destination_connection_id: 'destination-1',
    source_configuration: '{"a":1}',
    destination_configuration: '{"schema":"copy"}',
    settings: JSON.stringify(settings),
    schedules: JSON.stringify({
      default_schedule: { id: 'default-1', frequency: 'daily', hour: '01', minute: '00', ...metadata },
      additional_schedules: [
        {
          id: 'extra-1',
          minute: '30',
          frequency: 'hourly',
          schemas: ['public.users'],
          resync_mode: 'rebuild',
          ...metadata,
        },
      ],
    }),
    select_all_schemas: 1,
    created_at: '2026-01-01T00:00:00Z',
    created_by: JSON.stringify(actor),
    updated_at: '2026-01-02T00:00:00Z',
    updated_by: null,
  };
}

test('a bulk sync maps to its wire object: fields, then its settings in stored order, then schedules and metadata', () => {
  const wire = bulkSyncToWire(row({ normalize_names: 'enabled', concurrency_limit: 3, policies: ['p-1'] }));
  assert.equal(
    JSON.stringify(wire),
    JSON.stringify({
      id: 'sync-1',
      name: 'Nightly copy',
      organization_id: 'org-1',
      active: true,
      mode: 'replicate',
      source_connection_id: 'source-1',
      destination_connection_id: 'destination-1',
      source_configuration: { a: 1 },
      destination_configuration: { schema: 'copy' },
      normalize_names: 'enabled',
      concurrency_limit: 3,
      policies: ['p-1'],
      default_schedule: { frequency: 'daily', minute: '00', hour: '01', id: 'default-1', ...metadata },
      additional_schedules: [
        {
          frequency: 'hourly',
          minute: '30',
          id: 'extra-1',
          ...metadata,
          schemas: ['public.users'],
          resync_mode: 'rebuild',
        },
      ],
      created_at: '2026-01-01T00:00:00Z',
      created_by: actor,
      updated_at: '2026-01-02T00:00:00Z',
    }),
  );
  assert.ok('updated_by' in wire && wire.updated_by === undefined, 'no updated_by is shown as absent');
});

test('a stored setting cannot replace the prototype of the wire object', () => {
  const wire = bulkSyncToWire(row(JSON.parse('{"__proto__": {"polluted": true}, "policies": []}')));
  assert.equal(Object.getPrototypeOf(wire), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(wire, '__proto__')?.value, { polluted: true });
});
