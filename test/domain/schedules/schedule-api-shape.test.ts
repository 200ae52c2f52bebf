// The camelCase schedules sub-resource and the 2025 response fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyScheduleApiUpdate,
  fromBulkBulkSyncSchedule,
  toBulkBulkSyncSchedule,
  toBulkSchedulesResponse,
  validateScheduleApiRequest,
  type StoredAdditionalSchedule,
  type StoredDefaultSchedule,
} from '../../../src/domain/schedules/index.ts';
import { configuration } from './schedule-arbitraries.ts';

const actor = { id: '12345678-1234-1234-1234-123456789012', name: 'John Doe', type: 'user' };
const metadata = {
  created_at: '2024-01-15T09:30:00Z',
  updated_at: '2024-01-16T09:30:00Z',
  created_by: actor,
  updated_by: actor,
};

test("the API reference's example: the request { frequency: 'manual' } is accepted", () => {
  assert.deepEqual(validateScheduleApiRequest({ frequency: 'manual' }, { isDefault: false }), {
    ok: true,
    value: { frequency: 'manual' },
  });
});

test('requests map camelCase to Ferry fields and errors name camelCase paths', () => {
  assert.deepEqual(
    validateScheduleApiRequest(
      { frequency: 'weekly', dayOfWeek: 'friday', hour: '7', minute: '0', selectiveMode: 'incrementalFields' },
      { isDefault: false },
    ),
    {
      ok: true,
      value: {
        frequency: 'weekly',
        day_of_week: 'friday',
        hour: '7',
        minute: '0',
        selective_mode: 'incrementalFields',
      },
    },
  );
  const result = validateScheduleApiRequest(
    { frequency: 'weekly', dayOfWeek: 'someday', hour: '7', selectiveMode: 'x' },
    { isDefault: false },
  );
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.issues.map((issue) => issue.field), [
    'schedule.minute',
    'schedule.dayOfWeek',
    'schedule.selectiveMode',
  ]);
  const custom = validateScheduleApiRequest(
    { frequency: 'custom', minute: '0', hour: '0', dayOfMonth: '32' },
    { isDefault: false },
  );
  assert.deepEqual(custom.ok ? [] : custom.issues.map((issue) => issue.field), ['schedule.dayOfMonth']);
  assert.equal(validateScheduleApiRequest({ frequency: 'multi' }, { isDefault: false }).ok, false);
});

test('the default schedule accepts selectiveMode none (what GET shows) and refuses any other', () => {
  assert.deepEqual(validateScheduleApiRequest({ frequency: 'manual', selectiveMode: 'none' }, { isDefault: true }), {
    ok: true,
    value: { frequency: 'manual' },
  });
  const refused = validateScheduleApiRequest(
    { frequency: 'manual', selectiveMode: 'incrementalFields' },
    { isDefault: true },
  );
  assert.deepEqual(refused.ok ? [] : refused.issues.map((issue) => issue.field), ['schedule.selectiveMode']);
});

test('responses are BulkBulkSyncSchedule with actor ids, none/normal shown when unset', () => {
  const stored: StoredAdditionalSchedule = {
    id: 's1',
    ...metadata,
    frequency: 'daily',
    hour: '05',
    minute: '00',
    schemas: ['public.users'],
    resync_mode: 'rebuild',
  };
  assert.deepEqual(toBulkBulkSyncSchedule(stored, { syncId: 'sync1', isDefault: false }), {
    createdAt: '2024-01-15T09:30:00Z',
    createdBy: actor.id,
    updatedAt: '2024-01-16T09:30:00Z',
    updatedBy: actor.id,
    frequency: 'daily',
    hour: '05',
    minute: '00',
    isDefault: false,
    schemas: ['public.users'],
    selectiveMode: 'none',
    syncId: 'sync1',
    syncMode: 'rebuild',
  });
  const defaultSchedule: StoredDefaultSchedule = { id: 'd1', created_at: 'c', updated_at: 'u', frequency: 'manual' };
  assert.deepEqual(toBulkBulkSyncSchedule(defaultSchedule, { syncId: 'sync1', isDefault: true }), {
    createdAt: 'c',
    updatedAt: 'u',
    frequency: 'manual',
    isDefault: true,
    selectiveMode: 'none',
    syncId: 'sync1',
    syncMode: 'normal',
  });
});

test('property: to then from the sub-resource shape keeps every setting', () => {
  fc.assert(
    fc.property(configuration, (config) => {
      config.additional_schedules.forEach((schedule, index) => {
        const stored = { ...schedule, id: `s${index}`, created_at: 'c', updated_at: 'u' };
        const back = fromBulkBulkSyncSchedule(toBulkBulkSyncSchedule(stored, { syncId: 'x', isDefault: false }));
        const expected = { ...schedule, is_default: false } as Record<string, unknown>;
        // none and normal are the unset values, shown on the wire and read back as unset.
        if (expected.selective_mode === 'none') delete expected.selective_mode;
        if (expected.resync_mode === 'normal') delete expected.resync_mode;
        assert.deepEqual(back, expected);
      });
      const back = fromBulkBulkSyncSchedule(
        toBulkBulkSyncSchedule(
          { ...config.default_schedule, id: 'd', created_at: 'c', updated_at: 'u' },
          { syncId: 'x', isDefault: true },
        ),
      );
      assert.deepEqual(back, { ...config.default_schedule, is_default: true });
    }),
  );
});

test('a sub-resource PUT replaces timing and selective mode and keeps schemas, resync mode and creation metadata', () => {
  const existing: StoredAdditionalSchedule = {
    id: 's1',
    ...metadata,
    frequency: 'weekly',
    day_of_week: 'monday',
    hour: '1',
    minute: '2',
    selective_mode: 'incrementalFields',
    schemas: ['a'],
    resync_mode: 'refetch',
  };
  assert.deepEqual(applyScheduleApiUpdate(existing, { frequency: 'hourly', minute: '15' }), {
    id: 's1',
    ...metadata,
    frequency: 'hourly',
    minute: '15',
    schemas: ['a'],
    resync_mode: 'refetch',
  });
});

test('2025 responses carry metadata and only the scope that is set', () => {
  const response = toBulkSchedulesResponse({
    default_schedule: { id: 'd', ...metadata, frequency: 'continuous' },
    additional_schedules: [
      {
        id: 'a',
        created_at: 'c',
        updated_at: 'u',
        frequency: 'hourly',
        minute: '0',
        selective_mode: 'incrementalFields',
      },
    ],
  });
  assert.deepEqual(response, {
    default_schedule: { id: 'd', ...metadata, frequency: 'continuous' },
    additional_schedules: [
      {
        id: 'a',
        created_at: 'c',
        updated_at: 'u',
        frequency: 'hourly',
        minute: '0',
        selective_mode: 'incrementalFields',
      },
    ],
  });
});
