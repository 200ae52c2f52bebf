// When a firing schedule is due, from the scheduler's state: first due times, continuous gaps, missed times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bulkFiringSchedules, modelSyncFiringSchedules } from '../../../src/domain/schedules/firing-schedules.ts';
import { dueAt, firstDueAt, nextDueAfterFiring } from '../../../src/domain/schedules/schedule-due.ts';

const everyMinute = modelSyncFiringSchedules({ frequency: 'custom', minute: '*/1', hour: '*' })[0];
const continuous = modelSyncFiringSchedules({ frequency: 'continuous' })[0];
const at = (iso: string) => new Date(iso);

test('a new schedule counts from when its sync was written, at most a minute back, never ahead', () => {
  const now = at('2026-03-01T10:01:03.000Z');
  assert.equal(firstDueAt(everyMinute, now, '2026-03-01T10:00:58.000Z')?.toISOString(), '2026-03-01T10:01:00.000Z');
  assert.equal(firstDueAt(everyMinute, now, '2024-01-01T00:00:00.000Z')?.toISOString(), '2026-03-01T10:02:00.000Z');
  assert.equal(firstDueAt(everyMinute, now, '2027-01-01T00:00:00.000Z')?.toISOString(), '2026-03-01T10:02:00.000Z');
  assert.equal(firstDueAt(everyMinute, now)?.toISOString(), '2026-03-01T10:02:00.000Z');
  assert.equal(firstDueAt(continuous, now, '2026-03-01T10:00:58.000Z')?.toISOString(), '2026-03-01T10:00:58.000Z');
  const runAfter = modelSyncFiringSchedules({ frequency: 'runafter', run_after: { sync_ids: ['a'] } })[0];
  assert.equal(firstDueAt(runAfter, now), null);
});

test('after a firing the next due time is strictly after it, however late the firing was', () => {
  const hourly = modelSyncFiringSchedules({ frequency: 'hourly', minute: '00' })[0];
  assert.equal(nextDueAfterFiring(hourly, at('2026-03-01T10:00:00.000Z'))?.toISOString(), '2026-03-01T11:00:00.000Z');
  assert.equal(nextDueAfterFiring(hourly, at('2026-03-01T19:42:00.000Z'))?.toISOString(), '2026-03-01T20:00:00.000Z');
  assert.equal(nextDueAfterFiring(continuous, at('2026-03-01T10:00:00.000Z')), null);
});

test('continuous: a gap after the last finish, nothing while a run is open, at once when none ever finished', () => {
  const state = { next_fire_at: null };
  assert.equal(
    dueAt(continuous, state, { running: false, finishedAt: '2026-03-01T10:00:00.000Z' }, 60_000)?.toISOString(),
    '2026-03-01T10:01:00.000Z',
  );
  assert.equal(dueAt(continuous, state, { running: true, finishedAt: '2026-03-01T10:00:00.000Z' }, 60_000), null);
  assert.equal(dueAt(continuous, state, { running: false, finishedAt: undefined }, 60_000)?.getTime(), 0);
  assert.equal(
    dueAt(
      continuous,
      { next_fire_at: '2026-03-01T09:00:00.000Z' },
      { running: true, finishedAt: undefined },
      1,
    )?.toISOString(),
    '2026-03-01T09:00:00.000Z',
  );
});

test('firing schedules: manual, builder and dbtcloud never fire; each bulk schedule fires with its own scope', () => {
  for (const frequency of ['manual', 'builder', 'dbtcloud'] as const)
    assert.deepEqual(modelSyncFiringSchedules({ frequency }), []);
  const meta = { created_at: '', updated_at: '' };
  const firing = bulkFiringSchedules({
    default_schedule: { id: 'd', frequency: 'manual', ...meta },
    additional_schedules: [
      { id: 'a', frequency: 'daily', hour: '05', minute: '00', schemas: ['users'], resync_mode: 'rebuild', ...meta },
      { id: 'b', frequency: 'builder', ...meta },
    ],
  });
  assert.deepEqual(
    firing.map((schedule) => [schedule.scheduleId, schedule.scope]),
    [['a', { schemas: ['users'], resync_mode: 'rebuild' }]],
  );
});
