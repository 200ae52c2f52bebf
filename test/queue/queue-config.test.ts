// The queue's settings in config.ts: the lease and heartbeat defaults, their rule, and the worker identity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { loadConfig } from '../../src/config.ts';

const postgres = { DATABASE_URL: 'postgres://ferry@127.0.0.1:5432/ferry' };

test('a 20 s lease renewed every 5 s by default; a shorter lease gets a quarter of itself as heartbeat', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.queueLeaseMs, 20_000);
  assert.equal(defaults.queueHeartbeatMs, 5_000);
  const short = loadConfig({ FERRY_QUEUE_LEASE_MS: '3000' });
  assert.equal(short.queueHeartbeatMs, 750);
  assert.equal(loadConfig({ FERRY_QUEUE_LEASE_MS: '60000', FERRY_QUEUE_HEARTBEAT_MS: '2000' }).queueHeartbeatMs, 2_000);
});

test('a heartbeat longer than half the lease is refused at start', () => {
  assert.throws(
    () => loadConfig({ FERRY_QUEUE_LEASE_MS: '20000', FERRY_QUEUE_HEARTBEAT_MS: '15000' }),
    /heartbeat interval \(15000 ms\) must be at most half the lease \(20000 ms\)/,
  );
  assert.throws(() => loadConfig({ FERRY_QUEUE_HEARTBEAT_MS: 'soon' }), /FERRY_QUEUE_HEARTBEAT_MS must be a positive/);
});

test('the worker identity: FERRY_WORKER_ID, else `local` on SQLite and the host name on PostgreSQL', () => {
  assert.equal(loadConfig({}).workerId, 'local');
  const host = loadConfig(postgres).workerId;
  assert.equal(
    host,
    hostname()
      .replace(/[^A-Za-z0-9._:@-]/g, '-')
      .slice(0, 100),
  );
  assert.equal(loadConfig({ ...postgres, FERRY_WORKER_ID: 'eu-1.worker' }).workerId, 'eu-1.worker');
  assert.equal(loadConfig({ FERRY_WORKER_ID: '  ' }).workerId, 'local');
  assert.throws(() => loadConfig({ FERRY_WORKER_ID: 'two words' }), /FERRY_WORKER_ID must be/);
  assert.throws(() => loadConfig({ FERRY_WORKER_ID: 'slot#2' }), /FERRY_WORKER_ID must be/);
});
