// The PostgreSQL COPY fast path between two connections (two scratch databases).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createPostgresConnector, type PostgresConnection } from '../../src/connectors/postgres/postgres-connector.ts';
import { copyPostgresTable } from '../../src/connectors/postgres/postgres-copy.ts';
import { postgresTypeParsers } from '../../src/connectors/postgres/postgres-types.ts';
import { createMockRunContext } from '../kit/mock-run-context.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import { postgresConfiguration } from './postgres-configuration-fixture.ts';

const unavailable = await postgresUnavailable();

describe('postgres COPY fast path', { skip: unavailable }, () => {
  let sourceDatabase: ScratchDatabase;
  let destinationDatabase: ScratchDatabase;
  let source: PostgresConnection;
  let destination: PostgresConnection;
  let sourceNative: pg.Pool;
  let destinationNative: pg.Pool;
  const columns = `id integer primary key, name text, amount numeric(38,9), at timestamptz, doc jsonb, data bytea`;

  before(async () => {
    [sourceDatabase, destinationDatabase] = await Promise.all([
      createPostgresDatabase('ferry_copy_src'),
      createPostgresDatabase('ferry_copy_dst'),
    ]);
    sourceNative = new pg.Pool({ connectionString: sourceDatabase.url, max: 1, types: postgresTypeParsers });
    destinationNative = new pg.Pool({ connectionString: destinationDatabase.url, max: 1, types: postgresTypeParsers });
    // The scratch databases are dropped with force at the end: a session still closing then must not crash the file.
    for (const pool of [sourceNative, destinationNative]) pool.on('error', () => {});
    await sourceNative.query(`create table items (${columns})`);
    await sourceNative.query(
      `insert into items select i, 'name ' || i || ' 🚀', (i || '.123456789')::numeric, '2024-01-01T00:00:00Z'::timestamptz + i * interval '1 second', jsonb_build_object('i', i), '\\x00ff'::bytea from generate_series(1, 50000) i`,
    );
    await destinationNative.query(`create table items (${columns})`);
    await destinationNative.query(
      `create table items_wide (id bigint primary key, name text, amount numeric, at timestamptz, doc jsonb, data bytea)`,
    );
    const connector = createPostgresConnector();
    source = connector.open(postgresConfiguration(sourceDatabase)) as PostgresConnection;
    destination = connector.open(postgresConfiguration(destinationDatabase)) as PostgresConnection;
  });
  after(async () => {
    await Promise.all([source?.close(), destination?.close(), sourceNative?.end(), destinationNative?.end()]);
    await Promise.all([sourceDatabase?.drop(), destinationDatabase?.drop()]);
  });

  test('copies in binary when types match, then merges by primary key', async () => {
    const context = createMockRunContext();
    const plan = { sourceSchemaId: 'public.items', destinationSchemaId: 'public.items', mode: 'append' as const };
    assert.deepEqual(await copyPostgresTable(context, source.client, destination.client, plan), {
      rows: 50000,
      format: 'binary',
    });
    await sourceNative.query(`update items set name = 'changed' where id = 7`);
    const merged = await copyPostgresTable(context, source.client, destination.client, { ...plan, mode: 'merge' });
    assert.equal(merged.rows, 50000);
    const { rows } = await destinationNative.query('select count(*)::int as count, max(amount) as top from items');
    assert.deepEqual(rows[0], { count: 50000, top: '50000.123456789' });
    const seven = await destinationNative.query('select * from items where id = 7');
    assert.equal(seven.rows[0].name, 'changed');
    assert.deepEqual(seven.rows[0].doc, { i: 7 });
    assert.deepEqual(seven.rows[0].data, Buffer.from([0, 255]));
  });

  test('falls back to text format when column types differ', async () => {
    const context = createMockRunContext();
    const result = await copyPostgresTable(context, source.client, destination.client, {
      sourceSchemaId: 'public.items',
      destinationSchemaId: 'public.items_wide',
      mode: 'append',
    });
    assert.deepEqual(result, { rows: 50000, format: 'text' });
    const { rows } = await destinationNative.query(`select id, at from items_wide where id = 1`);
    assert.deepEqual(rows[0], { id: '1', at: '2024-01-01T00:00:01.000000Z' });
  });

  test('an abort mid-copy rolls back and releases both connections', async () => {
    await destinationNative.query('truncate items');
    const context = createMockRunContext();
    setTimeout(() => context.abort(), 5);
    await assert.rejects(
      copyPostgresTable(context, source.client, destination.client, {
        sourceSchemaId: 'public.items',
        destinationSchemaId: 'public.items',
        mode: 'append',
      }),
      { code: 'canceled' },
    );
    const { rows } = await destinationNative.query('select count(*)::int as count from items');
    assert.equal(rows[0].count, 0);
    assert.deepEqual(await source.test(createMockRunContext()), { ok: true });
    assert.deepEqual(await destination.test(createMockRunContext()), { ok: true });
  });
});
