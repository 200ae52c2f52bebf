// The worker role in its own process: `ferry serve --no-worker` takes the start, `ferry worker` runs it, both on one
// SQLite data dir (the embedded queue lives in the same file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './kit/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { call } from './kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable } from './kit/services.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');

test('an execution started on an API-only process is run by a separate worker process', {
  skip: await postgresUnavailable(),
}, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-roles-'));
  const source = await createPostgresDatabase('ferry_roles_src');
  const destination = await createPostgresDatabase('ferry_roles_dst');
  const children: ChildProcess[] = [];
  try {
    const sql = new pg.Client({ connectionString: source.url });
    await sql.connect();
    await sql.query(
      'create table t (id int primary key, v text); insert into t select i, md5(i::text) from generate_series(1, 1000) i',
    );
    await sql.end();
    const port = await freePort();
    const env = {
      ...process.env,
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      FERRY_DATA_DIR: dataDir,
      FERRY_BOOTSTRAP_PARTNER_KEY: 'roles-partner',
      FERRY_BOOTSTRAP_API_KEY: 'roles-key',
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
    const configuration = (database: string) => ({
      hostname: '127.0.0.1',
      port: 5432,
      database,
      username: 'postgres',
      ssl: false,
    });
    const sourceId = (
      await call(url, 'POST', '/api/connections', {
        key: 'roles-key',
        body: { name: 'S', type: 'postgresql', configuration: configuration(source.name) },
      })
    ).body.data.id;
    const destinationId = (
      await call(url, 'POST', '/api/connections', {
        key: 'roles-key',
        body: { name: 'D', type: 'postgresql', configuration: configuration(destination.name) },
      })
    ).body.data.id;
    const sync = await call(url, 'POST', '/api/bulk/syncs', {
      key: 'roles-key',
      body: {
        name: 'R',
        source_connection_id: sourceId,
        destination_connection_id: destinationId,
        destination_configuration: {},
        default_schedule: { frequency: 'manual' },
      },
    });
    const started = await call(url, 'POST', `/api/bulk/syncs/${sync.body.data.id}/executions`, {
      key: 'roles-key',
      body: {},
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const waiting = await call(url, 'GET', `/api/bulk/syncs/${sync.body.data.id}/executions/${started.body.data.id}`, {
      key: 'roles-key',
    });
    assert.equal(waiting.body.data.status, 'scheduled', 'no worker runs in the API process');

    const worker = spawn(process.execPath, [ferryBin, 'worker'], { env, stdio: 'ignore' });
    children.push(worker);
    let status = 'scheduled';
    for (let attempt = 0; attempt < 300 && !['completed', 'failed'].includes(status); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = (
        await call(url, 'GET', `/api/bulk/syncs/${sync.body.data.id}/executions/${started.body.data.id}`, {
          key: 'roles-key',
        })
      ).body.data.status;
    }
    assert.equal(status, 'completed');
    const check = new pg.Client({ connectionString: destination.url });
    await check.connect();
    const { rows } = await check.query('select count(*)::int as n from t');
    await check.end();
    assert.deepEqual(rows, [{ n: 1000 }]);
  } finally {
    for (const child of children) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await source.drop();
    await destination.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
