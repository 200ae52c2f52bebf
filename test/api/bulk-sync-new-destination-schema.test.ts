// A bulk sync whose destination_configuration.schema names a PostgreSQL schema that does not exist yet: the run
// creates it with the tables, as it creates the tables, instead of failing with `schema "ferry" does not exist`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';

async function query(url: string, text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('bulk sync into a destination schema that does not exist yet', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let destination: ScratchDatabase;

  before(async () => {
    source = await createPostgresDatabase('ferry_newschema_src');
    destination = await createPostgresDatabase('ferry_newschema_dst');
    await query(
      source.url,
      `create table people (id int primary key, name text not null);
       insert into people select i, 'person ' || i from generate_series(1, 250) i;
       create table teams (id int primary key, title text);
       insert into teams values (1, 'one'), (2, 'two');`,
    );
    server = await startFerry('sqlite');
  });
  after(async () => {
    await server?.close();
    await source?.drop();
    await destination?.drop();
  });

  async function connection(name: string, database: string): Promise<string> {
    const created = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: {
        name,
        type: 'postgresql',
        configuration: { hostname: '127.0.0.1', port: 5432, database, username: 'postgres', ssl: false },
      },
    });
    assert.equal(created.status, 200, created.text);
    return created.body.data.id;
  }

  async function waitForTerminal(syncId: string, executionId: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const response = await call(server.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${executionId}`, {
        key: server.apiKey,
      });
      if (['completed', 'failed', 'canceled'].includes(response.body.data.status)) return response.body.data;
      if (Date.now() > deadline) throw new Error(`execution still ${response.body.data.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  test('the run creates the schema and copies every table into it', async () => {
    assert.deepEqual(await query(destination.url, "select 1 from pg_namespace where nspname = 'ferry'"), []);
    const created = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        name: 'Into a new schema',
        source_connection_id: await connection('Source', source.name),
        destination_connection_id: await connection('Destination', destination.name),
        destination_configuration: { schema: 'ferry' },
        default_schedule: { frequency: 'manual' },
        schemas: ['public.people', 'public.teams'],
      },
    });
    assert.equal(created.status, 200, created.text);
    const syncId = created.body.data.id;
    const started = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: {},
    });
    assert.equal(started.status, 200, started.text);
    const execution = await waitForTerminal(syncId, started.body.data.id);
    assert.equal(execution.status, 'completed', JSON.stringify(execution));
    assert.equal(execution.record_count, 252);

    const [{ count }] = await query(destination.url, 'select count(*)::int as count from ferry.people');
    assert.equal(count, 250);
    assert.deepEqual(await query(destination.url, 'select id, title from ferry.teams order by id'), [
      { id: 1, title: 'one' },
      { id: 2, title: 'two' },
    ]);

    // A second run finds the schema it made and copies again without failing.
    const rerun = await call(server.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
      key: server.apiKey,
      body: {},
    });
    assert.equal(rerun.status, 200, rerun.text);
    assert.equal((await waitForTerminal(syncId, rerun.body.data.id)).status, 'completed');
  });
});
