// "A continuous bulk sync runs again and again with no API call", on a real `ferry serve` process and real time:
// SQLite source and destination, a one-second gap, and nothing but the create call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call } from './kit/ferry-server.ts';
import { freePort } from './kit/free-port.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');

test('a continuous bulk sync runs again and again by itself on a real process', { timeout: 120_000 }, async () => {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-continuous-'));
  const source = new Database(join(directory, 'source.db'));
  source.exec("create table users (id integer primary key, email text); insert into users values (1, 'a'), (2, 'b')");
  source.close();
  new Database(join(directory, 'destination.db')).close();
  const port = await freePort();
  const server = spawn(process.execPath, [ferryBin, 'serve', '--port', String(port), '--host', '127.0.0.1'], {
    env: {
      ...process.env,
      DATABASE_URL: '',
      LOG_LEVEL: 'warn',
      FERRY_DATA_DIR: join(directory, 'data'),
      FERRY_BOOTSTRAP_PARTNER_KEY: 'continuous-partner',
      FERRY_BOOTSTRAP_API_KEY: 'continuous-key',
      FERRY_CONTINUOUS_GAP_MS: '1000',
      FERRY_SCHEDULER_POLL_MS: '1000',
    },
    stdio: 'ignore',
  });
  try {
    const url = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 600; attempt += 1) {
      if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const key = 'continuous-key';
    const connection = async (name: string, file: string) =>
      (
        await call(url, 'POST', '/api/connections', {
          key,
          body: { name, type: 'sqlite', configuration: { path: join(directory, file) } },
        })
      ).body.data.id as string;
    const created = await call(url, 'POST', '/api/bulk/syncs', {
      key,
      body: {
        name: 'Always',
        source_connection_id: await connection('S', 'source.db'),
        destination_connection_id: await connection('D', 'destination.db'),
        destination_configuration: {},
        schemas: ['users'],
        default_schedule: { frequency: 'continuous' },
      },
    });
    assert.equal(created.status, 200, created.text);
    const syncId = created.body.data.id;
    let executions: Array<{
      status: string;
      type: string;
      record_count: number;
      created_at: string;
      completed_at: string;
    }> = [];
    for (let attempt = 0; attempt < 600; attempt += 1) {
      executions = (await call(url, 'GET', `/api/bulk/syncs/${syncId}/executions`, { key })).body.data;
      if (executions.filter((execution) => execution.status === 'completed').length >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const completed = executions
      .filter((execution) => execution.status === 'completed')
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
    assert.ok(completed.length >= 3, `three runs completed, got ${JSON.stringify(executions.map((e) => e.status))}`);
    assert.ok(completed.every((execution) => execution.type === 'scheduled' && execution.record_count === 2));
    for (let index = 1; index < completed.length; index += 1) {
      const gap = Date.parse(completed[index].created_at) - Date.parse(completed[index - 1].completed_at);
      assert.ok(gap >= 1000, `run ${index} started ${gap} ms after the previous one finished`);
    }
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
    rmSync(directory, { recursive: true, force: true });
  }
});
