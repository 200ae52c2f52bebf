// A PostgreSQL → PostgreSQL world for change-capture tests through the public API: a source scratch database (its
// slots are dropped by cleanup, whatever the test left: a forgotten slot pins WAL for everyone on the server), a
// destination scratch database, the two connections (the source with change_detection on) and a bulk sync.
import assert from 'node:assert/strict';
import pg from 'pg';
import { call } from '../kit/ferry-server.ts';
import { createPostgresDatabase, type ScratchDatabase } from '../kit/services.ts';
import { createCaptureWorld, type CaptureWorld } from '../connectors/postgres/change-capture-fixture.ts';
import { postgresConfiguration } from './connection-data-kit.ts';

export interface FerryEndpoint {
  url: string;
  apiKey: string;
}

export interface PostgresCdcWorld {
  source: CaptureWorld;
  destination: ScratchDatabase;
  destinationSql: pg.Pool;
  sourceConnectionId: string;
  destinationConnectionId: string;
  cleanup(): Promise<void>;
}

export async function createPostgresCdcWorld(ferry: FerryEndpoint, setupSql: string): Promise<PostgresCdcWorld> {
  const source = await createCaptureWorld();
  const destination = await createPostgresDatabase('ferry_cdc_dst');
  const destinationSql = new pg.Pool({ connectionString: destination.url, max: 2 });
  try {
    await source.sql.query(setupSql);
    const create = async (name: string, configuration: Record<string, unknown>) => {
      const created = await call(ferry.url, 'POST', '/api/connections', {
        key: ferry.apiKey,
        body: { name, type: 'postgresql', configuration, validate: true },
      });
      assert.equal(created.status, 200, created.text);
      return created.body.data.id as string;
    };
    const sourceConnectionId = await create('cdc source', {
      ...postgresConfiguration(source.database),
      change_detection: true,
    });
    const destinationConnectionId = await create('cdc destination', postgresConfiguration(destination));
    return {
      source,
      destination,
      destinationSql,
      sourceConnectionId,
      destinationConnectionId,
      async cleanup() {
        await destinationSql.end().catch(() => {});
        await source.cleanup();
        await destination.drop();
      },
    };
  } catch (error) {
    await destinationSql.end().catch(() => {});
    await source.cleanup();
    await destination.drop();
    throw error;
  }
}

export async function createBulkSync(
  ferry: FerryEndpoint,
  world: PostgresCdcWorld,
  schemas: string[],
  frequency = 'manual',
): Promise<string> {
  const created = await call(ferry.url, 'POST', '/api/bulk/syncs', {
    key: ferry.apiKey,
    body: {
      name: 'Change capture',
      mode: 'replicate',
      source_connection_id: world.sourceConnectionId,
      destination_connection_id: world.destinationConnectionId,
      destination_configuration: { schema: 'copied' },
      schemas,
      default_schedule: { frequency },
    },
  });
  assert.equal(created.status, 200, created.text);
  return created.body.data.id as string;
}

const terminal = new Set(['completed', 'failed', 'canceled']);

/** Starts an execution and waits until it is terminal; returns the execution. */
export async function runExecution(
  ferry: FerryEndpoint,
  syncId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const started = await call(ferry.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
    key: ferry.apiKey,
    body: {},
  });
  assert.equal(started.status, 200, started.text);
  const executionId = started.body.data.id as string;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await call(ferry.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${executionId}`, {
      key: ferry.apiKey,
    });
    assert.equal(got.status, 200, got.text);
    if (terminal.has(got.body.data.status)) return got.body.data;
    if (Date.now() > deadline) assert.fail(`execution ${executionId} still ${got.body.data.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The console log messages of an execution. */
export async function consoleMessages(ferry: FerryEndpoint, syncId: string, executionId: string): Promise<string[]> {
  const messages: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await call(
      ferry.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${executionId}/consolelog?limit=50${after ? `&after=${after}` : ''}`,
      { key: ferry.apiKey },
    );
    assert.equal(page.status, 200, page.text);
    const entries = (page.body.data.entries ?? page.body.data.logs ?? []) as Array<{ message: string }>;
    messages.push(...entries.map((entry) => entry.message));
    after = page.body.data.next_cursor;
    if (!after || entries.length === 0) return messages;
  }
}

/** Every row of a table as JSON text, ordered by `order`, so two databases compare row by row. */
export async function tableRows(sql: pg.Pool, table: string, columns: string, order = 'id'): Promise<string[]> {
  const { rows } = await sql.query<{ row: string }>(
    `select row_to_json(t)::text as row from (select ${columns} from ${table} order by ${order}) t`,
  );
  return rows.map((row) => row.row);
}

export async function slotsNamed(sql: pg.Pool, slot: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    'select count(*)::int as n from pg_replication_slots where slot_name = $1',
    [slot],
  );
  return rows[0]!.n;
}
