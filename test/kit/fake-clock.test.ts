import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFakeClock } from './fake-clock.ts';

test('the fake clock fires timers in due order, each at its own time, and only when advanced', async () => {
  const clock = createFakeClock('2026-02-28T23:59:00Z');
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now().toISOString()}`), 120_000);
  clock.setTimeout(() => fired.push(`a@${clock.now().toISOString()}`), 60_000);
  const cancelled = clock.setTimeout(() => fired.push('never'), 30_000);
  clock.clearTimeout(cancelled);
  assert.deepEqual(fired, []);
  await clock.advance(90_000);
  assert.deepEqual(fired, ['a@2026-03-01T00:00:00.000Z']);
  await clock.advance(60_000);
  assert.deepEqual(fired, ['a@2026-03-01T00:00:00.000Z', 'b@2026-03-01T00:01:00.000Z']);
  assert.equal(clock.now().toISOString(), '2026-03-01T00:01:30.000Z');
  assert.equal(clock.pendingTimers(), 0);
});

test('sleep on the fake clock resolves when time passes, or at once on abort; code after an await runs before the next timer', async () => {
  const clock = createFakeClock(0);
  const seen: number[] = [];
  const loop = (async () => {
    for (let i = 0; i < 3; i += 1) {
      await clock.sleep(1_000);
      seen.push(clock.nowMs());
    }
  })();
  await clock.advance(3_000);
  await loop;
  assert.deepEqual(seen, [1_000, 2_000, 3_000]);
  const abort = new AbortController();
  const sleeping = clock.sleep(60_000, abort.signal);
  abort.abort();
  await sleeping;
  assert.equal(clock.pendingTimers(), 0);
});
