// 2024-02-08 `schedule` ↔ default_schedule + additional_schedules: the migration guide's worked example
// (docs/schedules.md), the documented normalisations and fallbacks, and the round-trip properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canonicalLegacySchedule,
  downgradeToLegacySchedule,
  hasExactLegacyForm,
  timingOf,
  upgradeLegacySchedule,
  validateBulkScheduleRequest,
  validateLegacyBulkSchedule,
  type BulkScheduleConfiguration,
  type LegacyBulkSchedule,
} from '../../../src/domain/schedules/index.ts';
import {
  configuration,
  exactConfiguration,
  legacyAny,
  legacyCanonical,
  legacyCanonicalMulti,
} from './schedule-arbitraries.ts';

const guideExample2024: LegacyBulkSchedule = {
  frequency: 'multi',
  multi: {
    schedules: [
      { item: 'incrementalFields', schedule: { frequency: 'continuous' } },
      { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '05', minute: '00' } },
    ],
  },
};
const guideExample2025: BulkScheduleConfiguration = {
  default_schedule: { frequency: 'continuous' },
  additional_schedules: [{ selective_mode: 'nonincrementalFields', frequency: 'daily', hour: '05', minute: '00' }],
};

test("the migration guide's worked example converts up and down exactly", () => {
  assert.deepEqual(upgradeLegacySchedule(guideExample2024), guideExample2025);
  assert.deepEqual(downgradeToLegacySchedule(guideExample2025), guideExample2024);
  assert.equal(hasExactLegacyForm(guideExample2025), true);
});

test('a plain 2024 schedule is the default schedule, and back', () => {
  const plain = { frequency: 'weekly' as const, day_of_week: 'monday', hour: '12', minute: '30' };
  assert.deepEqual(upgradeLegacySchedule(plain), { default_schedule: plain, additional_schedules: [] });
  assert.deepEqual(downgradeToLegacySchedule({ default_schedule: plain, additional_schedules: [] }), plain);
});

test('the multi item none becomes the default schedule wherever it is listed', () => {
  const legacy: LegacyBulkSchedule = {
    frequency: 'multi',
    multi: {
      schedules: [
        { item: 'incrementalFields', schedule: { frequency: 'hourly', minute: '0' } },
        { item: 'none', schedule: { frequency: 'manual' } },
        { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '1', minute: '0' } },
      ],
    },
  };
  assert.deepEqual(upgradeLegacySchedule(legacy), {
    default_schedule: { frequency: 'manual' },
    additional_schedules: [
      { frequency: 'hourly', minute: '0', selective_mode: 'incrementalFields' },
      { frequency: 'daily', hour: '1', minute: '0', selective_mode: 'nonincrementalFields' },
    ],
  });
  // Canonical form: none first, the others in their order.
  assert.deepEqual(
    canonicalLegacySchedule(legacy).multi?.schedules?.map((item) => item.item),
    ['none', 'incrementalFields', 'nonincrementalFields'],
  );
});

test('non-canonical 2024 multis come back in their canonical, equivalent form', () => {
  const single: LegacyBulkSchedule = {
    frequency: 'multi',
    multi: { schedules: [{ item: 'incrementalFields', schedule: { frequency: 'continuous' } }] },
  };
  assert.deepEqual(canonicalLegacySchedule(single), { frequency: 'continuous' });
  const nonePair: LegacyBulkSchedule = {
    frequency: 'multi',
    multi: {
      schedules: [
        { item: 'none', schedule: { frequency: 'daily', hour: '0', minute: '0' } },
        { item: 'incrementalFields', schedule: { frequency: 'continuous' } },
      ],
    },
  };
  assert.deepEqual(canonicalLegacySchedule(nonePair), {
    frequency: 'multi',
    multi: {
      schedules: [
        { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '0', minute: '0' } },
        { item: 'incrementalFields', schedule: { frequency: 'continuous' } },
      ],
    },
  });
});

test('down: schema-scoped and resync-mode additional schedules are left out, never widened', () => {
  const weeklyRebuild = {
    frequency: 'weekly' as const,
    day_of_week: 'sunday',
    hour: '2',
    minute: '0',
    resync_mode: 'rebuild' as const,
  };
  // "continuous incremental, plus a weekly rebuild of everything" (the API's concepts guide) has no 2024 form: 2024
  // shows the default only.
  const withRebuild: BulkScheduleConfiguration = {
    default_schedule: { frequency: 'continuous' },
    additional_schedules: [weeklyRebuild],
  };
  assert.equal(hasExactLegacyForm(withRebuild), false);
  assert.deepEqual(downgradeToLegacySchedule(withRebuild), { frequency: 'continuous' });

  const scoped: BulkScheduleConfiguration = {
    default_schedule: { frequency: 'manual' },
    additional_schedules: [
      { frequency: 'hourly', minute: '5', selective_mode: 'incrementalFields', schemas: ['public.users'] },
      { frequency: 'daily', hour: '3', minute: '0', selective_mode: 'nonincrementalFields', resync_mode: 'normal' },
      { frequency: 'daily', hour: '4', minute: '0', selective_mode: 'nonincrementalFields' },
      { frequency: 'hourly', minute: '0', selective_mode: 'none' },
    ],
  };
  assert.equal(hasExactLegacyForm(scoped), false);
  // Shown: only the first plain nonincrementalFields schedule (resync_mode normal is a normal run).
  assert.deepEqual(downgradeToLegacySchedule(scoped), {
    frequency: 'multi',
    multi: {
      schedules: [
        { item: 'incrementalFields', schedule: { frequency: 'manual' } },
        { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '3', minute: '0' } },
      ],
    },
  });
});

test('2024 validation names 2024 paths and refuses duplicate items, nested multi and stray multi schedules', () => {
  const fields = (raw: unknown) => {
    const result = validateLegacyBulkSchedule(raw);
    return result.ok ? [] : result.issues.map((issue) => issue.field);
  };
  assert.deepEqual(fields(undefined), ['schedule']);
  assert.deepEqual(fields({ frequency: 'multi' }), ['schedule.multi.schedules']);
  assert.deepEqual(fields({ frequency: 'multi', multi: { schedules: [] } }), ['schedule.multi.schedules']);
  assert.deepEqual(
    fields({
      frequency: 'multi',
      multi: {
        schedules: [
          { item: 'incrementalFields', schedule: { frequency: 'daily', hour: '25', minute: '0' } },
          { item: 'incrementalFields', schedule: { frequency: 'multi' } },
          { item: 'everything', schedule: { frequency: 'manual' } },
          { item: 'none' },
        ],
      },
    }),
    [
      'schedule.multi.schedules[0].schedule.hour',
      'schedule.multi.schedules[1].item',
      'schedule.multi.schedules[1].schedule.frequency',
      'schedule.multi.schedules[2].item',
      'schedule.multi.schedules[3].schedule',
    ],
  );
  assert.deepEqual(
    fields({ frequency: 'manual', multi: { schedules: [{ item: 'none', schedule: { frequency: 'manual' } }] } }),
    ['schedule.multi.schedules'],
  );
  // The 2024 GET example echoes `"multi": {}` on a plain schedule; sending it back is fine, and it is dropped.
  assert.deepEqual(validateLegacyBulkSchedule({ frequency: 'manual', hour: '0', multi: {} }), {
    ok: true,
    value: { frequency: 'manual', hour: '0' },
  });
});

test('property: the generators make only schedules that validation accepts unchanged', () => {
  fc.assert(
    fc.property(legacyAny, (legacy) => {
      assert.deepEqual(validateLegacyBulkSchedule(legacy), { ok: true, value: legacy });
    }),
  );
  fc.assert(
    fc.property(configuration, (config) => {
      assert.deepEqual(validateBulkScheduleRequest(config), { ok: true, value: config });
    }),
  );
});

test('property: every canonical 2024 schedule survives up then down unchanged', () => {
  fc.assert(
    fc.property(legacyCanonical, (legacy) => {
      assert.deepEqual(downgradeToLegacySchedule(upgradeLegacySchedule(legacy)), legacy);
    }),
    { numRuns: 500 },
  );
  fc.assert(fc.property(legacyCanonicalMulti, (legacy) => assert.deepEqual(canonicalLegacySchedule(legacy), legacy)));
});

test('property: every accepted 2024 schedule comes back canonical, meaning the same 2025 configuration', () => {
  fc.assert(
    fc.property(legacyAny, (legacy) => {
      const upgraded = upgradeLegacySchedule(legacy);
      const back = downgradeToLegacySchedule(upgraded);
      assert.deepEqual(back, canonicalLegacySchedule(legacy));
      assert.deepEqual(canonicalLegacySchedule(back), back);
      assert.deepEqual(upgradeLegacySchedule(back), upgraded);
      assert.equal(validateBulkScheduleRequest(upgraded).ok, true);
      assert.equal(hasExactLegacyForm(upgraded), true);
    }),
    { numRuns: 500 },
  );
});

test('property: a 2025 configuration with an exact 2024 form survives down then up unchanged', () => {
  fc.assert(
    fc.property(exactConfiguration, (config) => {
      assert.equal(hasExactLegacyForm(config), true);
      const legacy = downgradeToLegacySchedule(config);
      assert.equal(validateLegacyBulkSchedule(legacy).ok, true);
      assert.deepEqual(upgradeLegacySchedule(legacy), config);
    }),
    { numRuns: 500 },
  );
});

test('property: down never invents; where the form is exact it round-trips', () => {
  fc.assert(
    fc.property(configuration, (config) => {
      const legacy = downgradeToLegacySchedule(config);
      assert.equal(validateLegacyBulkSchedule(legacy).ok, true, 'the 2024 view is itself a valid 2024 schedule');
      if (legacy.frequency !== 'multi') {
        assert.deepEqual(legacy, timingOf(config.default_schedule));
      } else {
        const [first, ...rest] = legacy.multi?.schedules ?? [];
        assert.deepEqual(first.schedule, timingOf(config.default_schedule));
        assert.ok(rest.length > 0);
        for (const item of rest) {
          // Each shown item is an input schedule of exactly that scope: same timing, same kind, all schemas, a normal
          // run.
          const source = config.additional_schedules.find(
            (schedule) =>
              schedule.selective_mode === item.item &&
              schedule.schemas === undefined &&
              (schedule.resync_mode ?? 'normal') === 'normal' &&
              JSON.stringify(timingOf(schedule)) === JSON.stringify(item.schedule),
          );
          assert.ok(source, `item ${item.item} must come from an additional schedule of that exact scope`);
        }
        // The default is itemised only as the kinds no shown item covers: never more than it runs for.
        const covered = new Set(rest.map((item) => item.item));
        if (first.item !== 'none') assert.ok(!covered.has(first.item));
        else assert.equal(covered.size, 2);
      }
      if (hasExactLegacyForm(config)) assert.deepEqual(upgradeLegacySchedule(legacy), config);
    }),
    { numRuns: 1000 },
  );
});
