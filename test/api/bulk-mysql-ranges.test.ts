// Parallel ranges of a MySQL table through the public API: the worker copies a table over FERRY_BULK_SPLIT_ROWS in
// FERRY_BULK_RANGES ranges, and a sync's concurrency_limit caps them; the Finished line says how many ran.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type ScratchDatabase,
} from '../kit/services.ts';
import { runExecution } from './change-capture-kit.ts';
import { createConnection, mysqlConfiguration, postgresConfiguration } from './connection-data-kit.ts';

const unavailable = (await mysqlUnavailable()) ?? (await postgresUnavailable());
const rows = 6_000;

describe('bulk sync MySQL → PostgreSQL in parallel ranges', { skip: unavailable }, () => {
  let ferry: TestFerry;
  let source: ScratchDatabase;
  let destination: ScratchDatabase;
  let destinationSql: pg.Pool;
  let sourceId: string;
  let destinationId: string;

  before(async () => {
    [ferry, source, destination] = await Promise.all([
      startFerry('sqlite', { FERRY_BULK_RANGES: '4', FERRY_BULK_SPLIT_ROWS: '1000' }),
      createMysqlDatabase('ferry_api_ranges'),
      createPostgresDatabase('ferry_api_ranges'),
    ]);
    const native = await mysql.createConnection({ uri: source.url });
    await native.query('create table items (id int primary key, label varchar(40) not null)');
    await native.query(`insert into items select seq, concat('item ', seq) from seq_1_to_${rows}`);
    await native.end();
    destinationSql = new pg.Pool({ connectionString: destination.url, max: 1 });
    sourceId = await createConnection(ferry, 'mysql', mysqlConfiguration(source));
    destinationId = await createConnection(
      ferry,
      'postgresql',
      postgresConfiguration(destination),
      ferry.apiKey,
      'destination',
    );
  });
  after(async () => {
    await destinationSql?.end();
    await ferry?.close();
    await Promise.all([source?.drop(), destination?.drop()]);
  });

  /** Runs a new sync of `items` into namespace `schema`; returns the Finished line's payload. */
  async function copy(schema: string, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    const created = await call(ferry.url, 'POST', '/api/bulk/syncs', {
      key: ferry.apiKey,
      body: {
        name: `Ranges ${schema}`,
        mode: 'replicate',
        source_connection_id: sourceId,
        destination_connection_id: destinationId,
        destination_configuration: { schema },
        schemas: [`${source.name}.items`],
        default_schedule: { frequency: 'manual' },
        ...settings,
      },
    });
    assert.equal(created.status, 200, created.text);
    const syncId = created.body.data.id as string;
    const execution = await runExecution(ferry, syncId);
    assert.equal(execution.status, 'completed', JSON.stringify(execution));
    const log = await call(ferry.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${execution.id}/consolelog`, {
      key: ferry.apiKey,
    });
    assert.equal(log.status, 200, log.text);
    const entries = log.body.data.entries as Array<{ message: string; payload?: Record<string, unknown> }>;
    const finished = entries.find((entry) => entry.message.startsWith('Finished:'));
    assert.ok(finished?.payload, JSON.stringify(entries));
    const { rows: counted } = await destinationSql.query(
      `select count(*)::int as rows, count(distinct id)::int as keys from ${schema}.items`,
    );
    assert.deepEqual(counted[0], { rows, keys: rows }, 'every row exactly once');
    return finished.payload;
  }

  test('a table over the threshold is copied in FERRY_BULK_RANGES ranges', async () => {
    const payload = await copy('uncapped', {});
    assert.equal(payload.path, 'copy_text');
    assert.equal(payload.ranges, 4);
  });

  test('the sync’s concurrency_limit caps the ranges', async () => {
    const payload = await copy('capped', { concurrency_limit: 2 });
    assert.equal(payload.ranges, 2);
  });
});
