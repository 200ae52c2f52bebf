// Bulk sync executions end to end through the public API: a real PostgreSQL source and destination, the in-process
// worker on the embedded queue, and the destination compared with the source row by row.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PolytomicClient } from 'polytomic';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import type { ReadBack } from '../kit/read-back.ts';

const terminal = ['completed', 'failed', 'canceled'];

async function query(url: string, text: string): Promise<ReadBack[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('bulk sync executions', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let destination: ScratchDatabase;
  let syncId: string;

  before(async () => {
    source = await createPostgresDatabase('ferry_exec_src');
    destination = await createPostgresDatabase('ferry_exec_dst');
    await query(
      source.url,
      `create table users (id int primary key, email text not null, score numeric(12,3), active boolean, updated_at timestamptz not null);
       insert into users select i, 'user' || i || '@example.com', i * 1.5, i % 2 = 0, timestamptz '2026-01-01' + i * interval '1 minute' from generate_series(1, 5000) i;
       create table events (id bigint primary key, payload jsonb);
       insert into events select i, jsonb_build_object('n', i) from generate_series(1, 300) i;`,
    );
    server = await startFerry('sqlite');
    const configuration = (database: string) => ({
      hostname: '127.0.0.1',
      port: 5432,
      database,
      username: 'postgres',
      ssl: false,
    });
    const sourceId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'Source', type: 'postgresql', configuration: configuration(source.name) },
      })
    ).body.data.id;
    const destinationId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'Destination', type: 'postgresql', configuration: configuration(destination.name) },
      })
    ).body.data.id;
    const created = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        name: 'Copy',
        source_connection_id: sourceId,
        destination_connection_id: destinationId,
        destination_configuration: { schema: 'copy' },
        default_schedule: { frequency: 'manual' },
        schemas: [{ id: 'public.users', tracking_field: 'updated_at' }, 'public.events'],
      },
    });
    assert.equal(created.status, 200, created.text);
    syncId = created.body.data.id;
    await query(destination.url, 'create schema copy');
  });
  after(async () => {
    await server.close();
    await source.drop();
    await destination.drop();
  });

  async function waitForTerminal(executionId: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${executionId}`, {
        key: server.apiKey,
      });
      if (terminal.includes(response.body.data.status)) return response.body.data;
      if (Date.now() > deadline) throw new Error(`execution still ${response.body.data.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  test('an execution copies every selected schema; the destination equals the source row by row', async () => {
    const started = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: {},
    });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.body.data.status, 'scheduled');
    const again = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: {},
    });
    assert.ok(
      again.status === 409 || again.status === 200,
      'a second start while one is open is a 409 (unless the first already finished)',
    );
    const execution = await waitForTerminal(started.body.data.id);
    assert.equal(execution.status, 'completed', JSON.stringify(execution));
    assert.equal(execution.record_count, 5300);
    assert.deepEqual(
      execution.schemas.map((schema: { schema: string; status: string }) => [schema.schema, schema.status]).sort(),
      [
        ['public.events', 'completed'],
        ['public.users', 'completed'],
      ],
    );
    const sourceRows = await query(
      source.url,
      'select id, email, score::text, active, updated_at from users order by id',
    );
    const copiedRows = await query(
      destination.url,
      'select id, email, score::text, active, updated_at from copy.users order by id',
    );
    assert.deepEqual(copiedRows, sourceRows);
    assert.deepEqual(
      await query(destination.url, 'select id::text, payload from copy.events order by id'),
      await query(source.url, 'select id::text, payload from events order by id'),
    );

    const console = await call(
      server.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${execution.id}/consolelog?limit=2`,
      { key: server.apiKey },
    );
    assert.equal(console.status, 200, console.text);
    assert.equal(console.body.data.entries.length, 2);
    assert.ok(console.body.data.next_cursor);
    const rest = await call(
      server.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${execution.id}/consolelog?after=${console.body.data.next_cursor}`,
      { key: server.apiKey },
    );
    assert.ok(rest.body.data.entries.length >= 1);
    assert.ok(Number(rest.body.data.entries[0].id) > Number(console.body.data.next_cursor));
    const schemaConsole = await call(
      server.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${execution.id}/schemas/public.users/consolelog`,
      { key: server.apiKey },
    );
    assert.ok(schemaConsole.body.data.entries.length >= 1);
    assert.equal(
      (
        await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${execution.id}/consolelog?limit=51`, {
          key: server.apiKey,
        })
      ).status,
      400,
    );

    const logs = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${execution.id}/logs`, {
      key: server.apiKey,
    });
    assert.equal(logs.status, 200, logs.text);
    assert.ok(Date.parse(logs.body.data.Expires) > Date.now());
    const file = await fetch(logs.body.data.URLs[0]);
    assert.equal(file.status, 200);
    const lines = (await file.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.ok(lines.length >= 3 && lines.every((line) => line.message && line.level));
    const forged = await fetch(logs.body.data.URLs[0].replace(/.$/, (last: string) => (last === 'A' ? 'B' : 'A')));
    assert.equal(forged.status, 403);
    const exported = await call(
      server.url,
      'POST',
      `/api/bulk/syncs/${syncId}/executions/${execution.id}/logs/export`,
      { key: server.apiKey },
    );
    assert.equal(exported.status, 200, exported.text);
    assert.ok(exported.body.data.url);
    const job = await call(server.url, 'GET', `/api/jobs/exportlogs/${exported.body.job.job_id}`, {
      key: server.apiKey,
    });
    assert.equal(job.body.data.status, 'done');

    const entity = await call(server.url, 'GET', `/api/entities/${execution.id}`, { key: server.apiKey });
    assert.equal(entity.body.data.type, 'bulk_sync_execution');
    assert.equal(entity.body.data.relationships.bulk_sync.id, syncId);
  });

  test('incremental runs copy only new rows; status and list show the executions', async () => {
    await query(
      source.url,
      "insert into users values (5001, 'late@example.com', 1, true, timestamptz '2027-01-01'); update users set email = 'changed@example.com', updated_at = timestamptz '2027-01-02' where id = 7",
    );
    const started = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: { schemas: ['public.users'] },
    });
    const execution = await waitForTerminal(started.body.data.id);
    assert.equal(execution.status, 'completed');
    assert.equal(execution.is_partial, true);
    assert.ok(execution.record_count <= 10, `incremental run copied ${execution.record_count} rows`);
    assert.deepEqual(
      await query(destination.url, 'select id, email from copy.users where id in (7, 5001) order by id'),
      [
        { id: 7, email: 'changed@example.com' },
        { id: 5001, email: 'late@example.com' },
      ],
    );
    const status = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/status`, { key: server.apiKey });
    assert.equal(status.body.data.last_execution.id, execution.id);
    assert.equal(status.body.data.current_execution, undefined);
    const listed = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/executions?limit=1`, {
      key: server.apiKey,
    });
    assert.equal(listed.body.data.length, 1);
    assert.equal(listed.body.data[0].id, execution.id);
    const next = await call(
      server.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions?limit=1&page_token=${listed.body.pagination.next_page_token}`,
      { key: server.apiKey },
    );
    assert.notEqual(next.body.data[0].id, execution.id);
    const many = await call(server.url, 'GET', `/api/bulk/syncs/status?sync_id=${syncId}`, { key: server.apiKey });
    assert.equal(many.body.data[0].sync_id, syncId);
  });

  test('start options are validated; 2024-02-08 `resync: true` means rebuild', async () => {
    const both = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: { test: true, resync_mode: 'rebuild' },
    });
    assert.equal(both.status, 422);
    assert.equal(both.body.metadata.field, 'test');
    const wrongMode = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: { resync_mode: 'normal' },
    });
    assert.equal(wrongMode.status, 400);
    assert.equal(wrongMode.body.metadata.field, 'resync_mode');
    const client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    const started = await client.bulkSync.start(syncId, { resync: true });
    assert.equal(started.data?.output_disposition, 'rebuild');
    const finished = await waitForTerminal(started.data!.id!);
    assert.equal(finished.status, 'completed');
    assert.equal(finished.record_count, 5301);
    const listed = await client.bulkSync.executions.list(syncId);
    assert.ok(listed.data?.some((item) => item.id === started.data!.id));
    assert.equal((await client.bulkSync.executions.get(syncId, started.data!.id!)).data?.status, 'completed');
  });

  test('a test execution copies at most 100 rows per schema', async () => {
    await query(destination.url, 'create schema trial');
    const original = (await call(server.url, 'GET', `/api/bulk/syncs/${syncId}`, { key: server.apiKey })).body.data;
    const trial = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        name: 'Trial',
        source_connection_id: original.source_connection_id,
        destination_connection_id: original.destination_connection_id,
        destination_configuration: { schema: 'trial' },
        default_schedule: { frequency: 'manual' },
        schemas: ['public.users'],
      },
    });
    const started = await call(server.url, 'POST', `/api/bulk/syncs/${trial.body.data.id}/executions`, {
      key: server.apiKey,
      body: { test: true },
    });
    assert.equal(started.body.data.is_test, true);
    const deadline = Date.now() + 30_000;
    let execution = started.body.data;
    while (!terminal.includes(execution.status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      execution = (
        await call(server.url, 'GET', `/api/bulk/syncs/${trial.body.data.id}/executions/${started.body.data.id}`, {
          key: server.apiKey,
        })
      ).body.data;
    }
    assert.equal(execution.status, 'completed');
    assert.equal(execution.record_count, 100);
    assert.deepEqual(await query(destination.url, 'select count(*)::int as n from trial.users'), [{ n: 100 }]);
  });

  test('cancel stops a running execution and leaves it canceled', async () => {
    await query(
      source.url,
      "insert into events select i, jsonb_build_object('n', i) from generate_series(301, 400000) i",
    );
    const started = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: { resync_mode: 'refetch', schemas: ['public.events'] },
    });
    for (let index = 0; index < 100; index += 1) {
      const current = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${started.body.data.id}`, {
        key: server.apiKey,
      });
      if (current.body.data.status === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const live = await call(
      server.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${started.body.data.id}/consolelog`,
      { key: server.apiKey },
    );
    assert.ok(
      live.body.data.entries.some((entry: { message: string }) => entry.message.startsWith('Started')),
      'console entries appear while the execution runs',
    );
    const running = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/status`, { key: server.apiKey });
    assert.equal(running.body.data.current_execution?.id, started.body.data.id);
    const second = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: {},
    });
    assert.equal(second.status, 409, 'a start while an execution runs is a 409');
    assert.equal(second.body.metadata.execution_id, started.body.data.id);
    assert.equal(
      (await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/schemas/public.nope/cancel`, { key: server.apiKey }))
        .status,
      404,
    );
    const canceled = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/schemas/public.events/cancel`, {
      key: server.apiKey,
    });
    assert.equal(canceled.status, 200);
    assert.match(canceled.body.data.message, /canceling|canceled/);
    const execution = await waitForTerminal(started.body.data.id);
    assert.equal(execution.status, 'canceled');
    assert.ok(execution.record_count < 400000, 'it stopped before copying everything');
    const again = await call(
      server.url,
      'POST',
      `/api/bulk/syncs/${syncId}/executions/${started.body.data.id}/cancel`,
      { key: server.apiKey },
    );
    assert.equal(again.status, 400, 'a finished execution cannot be cancelled');
  });
});
