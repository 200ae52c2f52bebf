// Exactly-once firing across processes: three `ferry worker` processes on one PostgreSQL metadata database, 200 bulk
// syncs due at the same instant. Each due time must give exactly one execution, asserted from the executions table.
// The schedules are hourly at a minute half an hour away, so after the seeded due time none is due again during
// the test: any execution beyond one per sync would be a double firing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { call } from './kit/ferry-server.ts';
import { freePort } from './kit/free-port.ts';
import { createPostgresDatabase, postgresUnavailable } from './kit/services.ts';
import { bulkFiringSchedules, type StoredBulkSchedules } from '../src/domain/schedules/index.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');
const syncCount = 200;
const processCount = 3;

test(`${processCount} worker processes fire ${syncCount} due schedules exactly once each`, {
  skip: await postgresUnavailable(),
  timeout: 180_000,
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-scheduler-'));
  const metadata = await createPostgresDatabase('ferry_sched_meta');
  const data = await createPostgresDatabase('ferry_sched_data');
  const children: ChildProcess[] = [];
  const sql = new pg.Client({ connectionString: metadata.url });
  try {
    const dataClient = new pg.Client({ connectionString: data.url });
    await dataClient.connect();
    await dataClient.query('create table t (id int primary key); insert into t values (1)');
    await dataClient.end();
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: metadata.url,
      LOG_LEVEL: 'info',
      FERRY_DATA_DIR: dataDir,
      FERRY_SECRET_KEY: 'a'.repeat(64),
      FERRY_BOOTSTRAP_PARTNER_KEY: 'sched-partner',
      FERRY_BOOTSTRAP_API_KEY: 'sched-key',
      FERRY_SCHEDULER_POLL_MS: '300',
    };
    const api = spawn(
      process.execPath,
      [ferryBin, 'serve', '--no-worker', '--port', String(port), '--host', '127.0.0.1'],
      { env, stdio: 'ignore' },
    );
    children.push(api);
    const url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const connection = async (name: string) =>
      (
        await call(url, 'POST', '/api/connections', {
          key: 'sched-key',
          body: {
            name,
            type: 'postgresql',
            configuration: { hostname: '127.0.0.1', port: 5432, database: data.name, username: 'postgres', ssl: false },
          },
        })
      ).body.data.id as string;
    const sourceId = await connection('S');
    const destinationId = await connection('D');
    const minute = String((new Date().getUTCMinutes() + 30) % 60);
    const syncIds: string[] = [];
    for (let index = 0; index < syncCount; index += 1) {
      const created = await call(url, 'POST', '/api/bulk/syncs', {
        key: 'sched-key',
        body: {
          name: `S${index}`,
          source_connection_id: sourceId,
          destination_connection_id: destinationId,
          destination_configuration: { schema: `copy_${index}` },
          default_schedule: { frequency: 'hourly', minute },
          schemas: ['public.t'],
        },
      });
      assert.equal(created.status, 200, created.text);
      syncIds.push(created.body.data.id);
    }

    // Every schedule was due a minute ago: the state the scheduler would hold after the processes were down.
    await sql.connect();
    const dueAt = new Date(Date.now() - 60_000).toISOString();
    const rows = (await sql.query('select id, organization_id, schedules from bulk_syncs')).rows;
    for (const row of rows) {
      const [schedule] = bulkFiringSchedules(JSON.parse(row.schedules) as StoredBulkSchedules);
      await sql.query(
        `insert into schedule_states (sync_kind, sync_id, schedule_id, organization_id, frequency, fingerprint,
           next_fire_at, watermark, claims, last_fired_at, last_execution_id, updated_at)
         values ('bulk', $1, $2, $3, 'hourly', $4, $5, null, 0, null, null, $5)`,
        [row.id, schedule.scheduleId, row.organization_id, schedule.fingerprint, dueAt],
      );
    }

    const started = Date.now();
    const logs: string[] = [];
    for (let index = 0; index < processCount; index += 1) {
      const worker = spawn(process.execPath, [ferryBin, 'worker'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      worker.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        logs[index] = text;
      });
      children.push(worker);
    }
    const count = async () =>
      Number((await sql.query('select count(*)::int as n from bulk_sync_executions')).rows[0].n);
    let executions = 0;
    for (let attempt = 0; attempt < 1200 && executions < syncCount; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      executions = await count();
    }
    const firedMs = Date.now() - started;
    // Several more rounds of every process (polling every 300 ms) must add nothing.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const perSync = (
      await sql.query(
        `select s.id, count(e.id)::int as n, min(e.type) as type
           from bulk_syncs s left join bulk_sync_executions e on e.sync_id = s.id group by s.id`,
      )
    ).rows;
    assert.equal(perSync.length, syncCount);
    assert.deepEqual(
      perSync.filter((row) => row.n !== 1),
      [],
      'every sync has exactly one execution',
    );
    assert.ok(perSync.every((row) => row.type === 'scheduled'));
    assert.equal(await count(), syncCount);
    const states = (await sql.query('select claims, next_fire_at from schedule_states')).rows;
    assert.ok(states.every((state) => state.claims === 1 && state.next_fire_at > new Date().toISOString()));
    const firedBy = logs.map(
      (text) => (text ?? '').split('\n').filter((line) => line.includes('started a scheduled execution')).length,
    );
    assert.equal(
      firedBy.reduce((sum, n) => sum + n, 0),
      syncCount,
    );
    const span = (await sql.query('select min(created_at) as first, max(created_at) as last from bulk_sync_executions'))
      .rows[0];
    console.log(
      `# ${syncCount} executions from ${processCount} processes: all in ${firedMs} ms after spawning; first at ` +
        `${Date.parse(span.first) - started} ms, last at ${Date.parse(span.last) - started} ms; per process: ${firedBy.join(', ')}`,
    );
  } finally {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await sql.end().catch(() => {});
    await metadata.drop();
    await data.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
