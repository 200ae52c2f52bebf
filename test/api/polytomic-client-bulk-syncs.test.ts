// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through the bulk-sync endpoints it has.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PolytomicClient } from 'polytomic';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';

describe('official polytomic@1.18.1 client: bulk syncs at 2024-02-08', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let destination: ScratchDatabase;
  let client: PolytomicClient;
  let sourceId: string;
  let destinationId: string;

  before(async () => {
    source = await createPostgresDatabase('ferry_sdk_bulk_src');
    destination = await createPostgresDatabase('ferry_sdk_bulk_dst');
    const sql = new pg.Client({ connectionString: source.url });
    await sql.connect();
    await sql.query(
      "create table items (id int primary key, label text); insert into items select i, 'item ' || i from generate_series(1, 250) i",
    );
    await sql.end();
    server = await startFerry('sqlite');
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    const configuration = (database: string) => ({
      hostname: '127.0.0.1',
      port: 5432,
      database,
      username: 'postgres',
      ssl: false,
    });
    sourceId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'S', type: 'postgresql', configuration: configuration(source.name) },
      })
    ).body.data.id;
    destinationId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'D', type: 'postgresql', configuration: configuration(destination.name) },
      })
    ).body.data.id;
  });
  after(async () => {
    await server.close();
    await source.drop();
    await destination.drop();
  });

  test('create, get, update, list, activate, schemas, schedules, start, status, executions, logs and remove', async () => {
    const created = await client.bulkSync.create({
      name: 'SDK bulk',
      source_connection_id: sourceId,
      destination_connection_id: destinationId,
      destination_configuration: {},
      schedule: { frequency: 'daily', hour: '04', minute: '30' },
    } as never);
    const id = created.data!.id!;
    assert.deepEqual(created.data?.schedule, { frequency: 'daily', hour: '04', minute: '30' });
    assert.equal((await client.bulkSync.get(id)).data?.name, 'SDK bulk');
    const updated = await client.bulkSync.update(id, {
      name: 'SDK bulk 2',
      source_connection_id: sourceId,
      destination_connection_id: destinationId,
      destination_configuration: {},
      schedule: { frequency: 'manual' },
    } as never);
    assert.equal(updated.data?.name, 'SDK bulk 2');
    assert.deepEqual(updated.data?.schedule, { frequency: 'manual' });
    assert.ok((await client.bulkSync.list()).data?.some((sync) => sync.id === id));
    assert.equal((await client.bulkSync.activate(id, { active: true })).data?.active, true);

    const schemas = await client.bulkSync.schemas.list(id);
    assert.deepEqual(
      (schemas.data ?? []).map((schema) => schema.id),
      ['public.items'],
    );
    await client.bulkSync.schemas.update(id, 'public.items', { user_output_name: 'sdk_items' });
    assert.equal((await client.bulkSync.schemas.get(id, 'public.items')).data?.output_name, 'sdk_items');
    await client.bulkSync.schemas.patch(id, { schemas: [{ id: 'public.items', enabled: true }] } as never);

    const schedule = await client.bulkSync.schedules.create(id, {
      schedule: { frequency: 'hourly', minute: '10' },
    } as never);
    assert.equal(schedule.data?.frequency, 'hourly');
    assert.ok((await client.bulkSync.schedules.list(id)).data?.length === 2);

    const started = await client.bulkSync.start(id, {});
    const executionId = started.data!.id!;
    let status = started.data?.status;
    for (let attempt = 0; attempt < 150 && status !== 'completed' && status !== 'failed'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await client.bulkSync.executions.get(id, executionId)).data?.status;
    }
    assert.equal(status, 'completed');
    assert.equal((await client.bulkSync.executions.get(id, executionId)).data?.record_count, 250);
    assert.equal((await client.bulkSync.getStatus(id)).data?.last_execution?.id, executionId);
    assert.ok((await client.bulkSync.executions.list(id)).data?.some((execution) => execution.id === executionId));
    assert.ok((await client.bulkSync.executions.listStatus({ sync_id: id })).data?.length === 1);
    const logs = await client.bulkSync.executions.getLogs(id, executionId);
    assert.equal(logs.data?.URLs?.length, 1);
    assert.ok((await client.bulkSync.executions.exportLogs(id, executionId)).data?.url);
    assert.ok((await client.bulkSync.cancel(id)).data?.message);

    await client.bulkSync.remove(id);
    assert.equal((await call(server.url, 'GET', `/api/bulk/syncs/${id}`, { key: server.apiKey })).status, 404);
  });
});
