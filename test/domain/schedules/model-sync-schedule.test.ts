// A model sync's `Schedule`: validation, next run, and the GET /api/syncs/schedules options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FREQUENCY_TRIGGERS,
  MODEL_SYNC_SCHEDULE_OPTIONS,
  nextRunAt,
  validateModelSyncSchedule,
} from '../../../src/domain/schedules/index.ts';

function fields(raw: unknown): string[] {
  const result = validateModelSyncSchedule(raw);
  return result.ok ? [] : result.issues.map((issue) => issue.field);
}

test('clock frequencies follow the same timing rules as bulk schedules, and give the same next run', () => {
  const result = validateModelSyncSchedule({ frequency: 'daily', hour: '05', minute: '00' });
  assert.deepEqual(result, { ok: true, value: { frequency: 'daily', hour: '05', minute: '00' } });
  assert.equal(
    result.ok && nextRunAt(result.value, new Date('2024-02-28T06:00:00Z'))?.toISOString(),
    '2024-02-29T05:00:00.000Z',
  );
  assert.deepEqual(fields({ frequency: 'hourly', minute: '75' }), ['schedule.minute']);
  assert.deepEqual(fields({ frequency: 'weekly', hour: '1', minute: '1' }), ['schedule.day_of_week']);
});

test('an absent frequency is manual; multi is refused', () => {
  assert.deepEqual(validateModelSyncSchedule({}), { ok: true, value: { frequency: 'manual' } });
  assert.deepEqual(fields({ frequency: 'multi' }), ['schedule.frequency']);
  assert.deepEqual(fields(null), ['schedule']);
});

test('runafter needs run_after with at least one sync id; it fires on completion, not the clock', () => {
  const result = validateModelSyncSchedule({
    frequency: 'runafter',
    run_after: { sync_ids: ['s1', 's1'], bulk_sync_ids: [] },
    run_after_success_only: true,
  });
  assert.deepEqual(result, {
    ok: true,
    value: { frequency: 'runafter', run_after: { sync_ids: ['s1'] }, run_after_success_only: true },
  });
  assert.equal(result.ok && nextRunAt(result.value, new Date()), null);
  assert.deepEqual(fields({ frequency: 'runafter' }), ['schedule.run_after']);
  assert.deepEqual(fields({ frequency: 'runafter', run_after: {} }), ['schedule.run_after']);
  assert.deepEqual(fields({ frequency: 'runafter', run_after: { sync_ids: [1] } }), ['schedule.run_after.sync_ids']);
  assert.deepEqual(
    fields({ frequency: 'runafter', run_after: { bulk_sync_ids: ['b'] }, run_after_success_only: 'yes' }),
    ['schedule.run_after_success_only'],
  );
});

test('run_after is refused on other frequencies, except an empty one echoed from a GET', () => {
  assert.deepEqual(fields({ frequency: 'daily', hour: '1', minute: '0', run_after: { sync_ids: ['s1'] } }), [
    'schedule.run_after',
  ]);
  assert.deepEqual(validateModelSyncSchedule({ frequency: 'manual', run_after: { sync_ids: [] } }), {
    ok: true,
    value: { frequency: 'manual' },
  });
});

test('dbtcloud needs connection_id and an integer job_id; they are refused elsewhere', () => {
  assert.deepEqual(validateModelSyncSchedule({ frequency: 'dbtcloud', connection_id: 'c1', job_id: 42 }), {
    ok: true,
    value: { frequency: 'dbtcloud', connection_id: 'c1', job_id: 42 },
  });
  assert.deepEqual(fields({ frequency: 'dbtcloud' }), ['schedule.connection_id', 'schedule.job_id']);
  assert.deepEqual(fields({ frequency: 'dbtcloud', connection_id: 5, job_id: 1.5 }), [
    'schedule.connection_id',
    'schedule.job_id',
  ]);
  assert.deepEqual(fields({ frequency: 'manual', connection_id: 'c1', job_id: 1 }), [
    'schedule.connection_id',
    'schedule.job_id',
  ]);
});

test('every frequency has a documented trigger', () => {
  for (const [frequency, rule] of Object.entries(FREQUENCY_TRIGGERS)) {
    assert.ok(rule.why.length > 0, frequency);
    const fired = nextRunAt(
      { frequency, minute: '0', hour: '0', day_of_week: 'monday' },
      new Date('2024-01-01T00:00:00Z'),
    );
    assert.equal(fired !== null, rule.trigger !== 'none', frequency);
  }
});

test('GET /api/syncs/schedules lists the frequencies Ferry runs, each form requiring what validation requires', () => {
  const frequencies = MODEL_SYNC_SCHEDULE_OPTIONS.schedule_options.map((option) => option.frequency);
  assert.deepEqual(frequencies, ['manual', 'continuous', 'hourly', 'daily', 'weekly', 'custom', 'runafter']);
  for (const option of MODEL_SYNC_SCHEDULE_OPTIONS.schedule_options) {
    assert.ok(option.label && option.description, option.frequency);
    const required = (option.configuration.required as string[]) ?? [];
    if (option.frequency === 'runafter') continue;
    // Leaving out any one required field is refused; the form and the validator agree.
    for (const left of required) {
      const sample: Record<string, string> = {
        frequency: option.frequency,
        minute: '0',
        hour: '0',
        day_of_week: 'monday',
      };
      delete sample[left];
      for (const field of Object.keys(sample))
        if (field !== 'frequency' && !required.includes(field)) delete sample[field];
      assert.equal(validateModelSyncSchedule(sample).ok, false, `${option.frequency} without ${left}`);
    }
    const complete: Record<string, string> = { frequency: option.frequency };
    for (const field of required) complete[field] = field === 'day_of_week' ? 'monday' : '0';
    assert.equal(validateModelSyncSchedule(complete).ok, true, option.frequency);
  }
});
