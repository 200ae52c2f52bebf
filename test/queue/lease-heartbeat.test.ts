// The lease heartbeat's schedule on the fake clock: renewals every interval, never two at once, on after a failure,
// and none after stop(); and the lease settings rule that config.ts and both adapters enforce.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeClock } from '../kit/fake-clock.ts';
import {
  assertLeaseSettings,
  defaultHeartbeatIntervalMs,
  startLeaseHeartbeat,
} from '../../src/queue/lease-heartbeat.ts';

test('renews every interval of the clock, and not before', async () => {
  const clock = createFakeClock();
  const renewedAt: number[] = [];
  const heartbeat = startLeaseHeartbeat({
    clock,
    intervalMs: 5_000,
    renew: async () => void renewedAt.push(clock.nowMs()),
    onError: (error) => assert.fail(String(error)),
  });
  const start = clock.nowMs();
  await clock.advance(4_999);
  assert.deepEqual(renewedAt, []);
  await clock.advance(15_001);
  assert.deepEqual(
    renewedAt.map((at) => at - start),
    [5_000, 10_000, 15_000, 20_000],
  );
  await heartbeat.stop();
  await clock.advance(60_000);
  assert.equal(renewedAt.length, 4, 'no renewal after stop()');
  assert.equal(clock.pendingTimers(), 0);
});

test('a slow renewal delays the next one instead of overlapping it', async () => {
  const clock = createFakeClock();
  let inFlight = 0;
  let peak = 0;
  const startedAt: number[] = [];
  const heartbeat = startLeaseHeartbeat({
    clock,
    intervalMs: 5_000,
    renew: async () => {
      startedAt.push(clock.nowMs());
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await clock.sleep(7_000); // a database that answers after 7 s
      inFlight -= 1;
    },
    onError: (error) => assert.fail(String(error)),
  });
  const start = clock.nowMs();
  await clock.advance(30_000);
  const stopping = heartbeat.stop(); // the third renewal is still running: it ends at 36 s
  await clock.advance(7_000);
  await stopping;
  assert.equal(peak, 1);
  // 5 s wait, 7 s renewal, 5 s wait, …: renewals start at 5, 17 and 29 s.
  assert.deepEqual(
    startedAt.map((at) => at - start),
    [5_000, 17_000, 29_000],
  );
});

test('a failed renewal is reported and the next one is still scheduled', async () => {
  const clock = createFakeClock();
  const errors: unknown[] = [];
  let calls = 0;
  const heartbeat = startLeaseHeartbeat({
    clock,
    intervalMs: 1_000,
    renew: async () => {
      calls += 1;
      if (calls === 1) throw new Error('database unreachable');
    },
    onError: (error) => errors.push(error),
  });
  await clock.advance(3_000);
  await heartbeat.stop();
  assert.equal(calls, 3);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /database unreachable/);
});

test('stop() waits for the renewal in flight', async () => {
  const clock = createFakeClock();
  let finished = false;
  const heartbeat = startLeaseHeartbeat({
    clock,
    intervalMs: 1_000,
    renew: async () => {
      await clock.sleep(500);
      finished = true;
    },
    onError: (error) => assert.fail(String(error)),
  });
  await clock.advance(1_200); // the renewal is half way
  const stopping = heartbeat.stop();
  let stopped = false;
  void stopping.then(() => (stopped = true));
  await clock.advance(100);
  assert.equal(stopped, false, 'stop() resolved while the renewal was still running');
  await clock.advance(400);
  await stopping;
  assert.equal(finished, true);
});

test('the heartbeat must fit twice in the lease; a short lease gets a quarter of it by default', () => {
  assert.doesNotThrow(() => assertLeaseSettings(20_000, 5_000));
  assert.doesNotThrow(() => assertLeaseSettings(20_000, 10_000));
  assert.throws(() => assertLeaseSettings(20_000, 10_001), /at most half the lease/);
  assert.throws(() => assertLeaseSettings(0, 1), /must be positive/);
  assert.equal(defaultHeartbeatIntervalMs(20_000, 5_000), 5_000);
  assert.equal(defaultHeartbeatIntervalMs(60_000, 5_000), 5_000);
  assert.equal(defaultHeartbeatIntervalMs(3_000, 5_000), 750);
  assert.equal(defaultHeartbeatIntervalMs(2, 5_000), 1);
});
