// /healthz and /readyz on a real server: no key needed, no tenant data, and a 503 that names the failing check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createReadiness } from '../../src/metrics/readiness.ts';
import { openDatabase } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { call, startFerry } from '../kit/ferry-server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const silent = { warn() {} };

test('readyz is 503 naming `migrations` while a migration of this build is not applied, and 200 again after', async () => {
  const server = await startFerry('sqlite');
  try {
    const { db } = server.ferry.context.database;
    const last = await sql<{
      name: string;
      timestamp: string;
    }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(db);
    const { name, timestamp } = last.rows[0]!;
    await sql`delete from kysely_migration where name = ${name}`.execute(db);
    const notReady = await call(server.url, 'GET', '/readyz');
    assert.equal(notReady.status, 503);
    assert.deepEqual(notReady.body.failing, ['migrations']);
    assert.deepEqual(notReady.body.checks.migrations, { ok: false, reason: '1 pending; run ferry migrate' });
    assert.equal(notReady.body.checks.database.ok, true);
    assert.ok(!notReady.text.includes(server.organizationId), 'no tenant data');
    await sql`insert into kysely_migration (name, timestamp) values (${name}, ${timestamp})`.execute(db);
    assert.equal((await call(server.url, 'GET', '/readyz')).status, 200);
    // A wrong key makes no difference: the probes are outside the API's auth.
    assert.equal((await call(server.url, 'GET', '/healthz', { key: 'not-a-key' })).status, 200);
  } finally {
    await server.close();
  }
});

test('an API-only server (--no-worker) is ready without a worker; readiness names `worker` where one should run', async () => {
  const server = await startFerry('sqlite');
  try {
    const { database } = server.ferry.context;
    const expected = createReadiness({ database, log: silent, workerExpected: true, workerRunning: () => false });
    const report = await expected.check();
    assert.deepEqual(report.failing, ['worker']);
    assert.deepEqual(report.checks.worker, { ok: false, reason: 'not running' });
    const apiOnly = createReadiness({ database, log: silent, workerExpected: false, workerRunning: () => false });
    assert.deepEqual(await apiOnly.check(), {
      ready: true,
      failing: [],
      checks: { database: { ok: true }, migrations: { ok: true } },
    });
  } finally {
    await server.close();
  }
});

test('a database that no longer answers fails `database` (and so `migrations`), within the timeout', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-ready-'));
  const database = openDatabase({ dataDir, databaseUrl: undefined });
  try {
    await migrateToLatest(database);
    await database.close();
    const readiness = createReadiness({ database, log: silent, workerExpected: false, workerRunning: () => false });
    const report = await readiness.check();
    assert.equal(report.ready, false);
    assert.deepEqual(report.failing, ['database', 'migrations']);
    assert.deepEqual(report.checks.database, { ok: false, reason: 'unreachable' });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
