// PostgreSQL → PostgreSQL through the engine (the COPY path), compared row by row with the source.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import { postgresTypeParsers } from '../../../src/connectors/postgres/postgres-types.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../../kit/services.ts';
import { assertCompleted, createHarness, openPostgres, pick, planOf, readTable } from './bulk-test-kit.ts';

const unavailable = await postgresUnavailable();

describe('bulk engine: postgresql → postgresql', { skip: unavailable }, () => {
  let sourceDatabase: ScratchDatabase;
  let destinationDatabase: ScratchDatabase;
  let source: PostgresConnection;
  let destination: PostgresConnection;
  let sourceSql: pg.Pool;
  let destinationSql: pg.Pool;
  const columns = `id integer primary key, name text, amount numeric(38,9), updated_at timestamptz not null, doc jsonb, data bytea, "Mixed Case" text`;

  async function seed(table: string, count: number, extra = '') {
    await sourceSql.query(`create table ${table} (${columns}${extra})`);
    await sourceSql.query(
      `insert into ${table} (id, name, amount, updated_at, doc, data, "Mixed Case")
       select i, 'name ' || i || ' 🚀', (i || '.123456789')::numeric, '2024-01-01T00:00:00.123456Z'::timestamptz + i * interval '1 minute',
              jsonb_build_object('i', i, 'nested', jsonb_build_array(i, 'x')), decode(lpad(to_hex(i), 8, '0'), 'hex'), 'MC ' || i
       from generate_series(1, ${count}) i`,
    );
  }

  async function same(sourceTable: string, destinationTable: string, key = 'id') {
    const [expected, actual] = await Promise.all([
      readTable(source.bulkSource, sourceTable, key),
      readTable(destination.bulkSource, destinationTable, key),
    ]);
    assert.equal(actual.length, expected.length, 'row count');
    assert.deepEqual(actual, expected);
  }

  before(async () => {
    [sourceDatabase, destinationDatabase] = await Promise.all([
      createPostgresDatabase('ferry_bulk_src'),
      createPostgresDatabase('ferry_bulk_dst'),
    ]);
    sourceSql = new pg.Pool({ connectionString: sourceDatabase.url, max: 2, types: postgresTypeParsers });
    destinationSql = new pg.Pool({ connectionString: destinationDatabase.url, max: 2, types: postgresTypeParsers });
    source = openPostgres(sourceDatabase);
    destination = openPostgres(destinationDatabase);
  });
  after(async () => {
    await Promise.all([source?.close(), destination?.close(), sourceSql?.end(), destinationSql?.end()]);
    await Promise.all([sourceDatabase?.drop(), destinationDatabase?.drop()]);
  });

  test('full copy keeps native types, in binary COPY, and logs start, progress and finish', async () => {
    await seed('full_items', 5000);
    const harness = createHarness();
    const result = await harness.run(
      planOf(source, destination, {
        syncId: 'full',
        schemas: [{ schemaId: 'public.full_items' }],
        copyChunkSize: 1000,
      }),
    );
    assertCompleted(result);
    assert.equal(result.recordCount, 5000);
    assert.equal(result.schemas[0]!.path, 'copy_binary');
    assert.equal(result.schemas[0]!.outputName, 'full_items');
    const types = await destinationSql.query(
      `select column_name, format_type(atttypid, atttypmod) as type from information_schema.columns c join pg_attribute a on a.attname = c.column_name and a.attrelid = 'public.full_items'::regclass where table_name = 'full_items' order by ordinal_position`,
    );
    assert.deepEqual(
      types.rows.map((row) => row.type),
      ['integer', 'text', 'numeric(38,9)', 'timestamp with time zone', 'jsonb', 'bytea', 'text'],
    );
    assert.deepEqual(
      types.rows.map((row) => row.column_name),
      ['id', 'name', 'amount', 'updated_at', 'doc', 'data', 'mixed_case'],
    );
    const expected = await readTable(source.bulkSource, 'public.full_items', 'id');
    const actual = await readTable(destination.bulkSource, 'public.full_items', 'id');
    assert.deepEqual(
      actual,
      expected.map(({ 'Mixed Case': mixed, ...rest }) => ({ ...rest, mixed_case: mixed })),
    );
    const messages = harness.consoleLog.entries.map((entry) => entry.message);
    assert.match(messages[0]!, /^Started: 1 schema/);
    assert.ok(messages.some((message) => /^Starting a full copy of public\.full_items/.test(message)));
    assert.ok(
      messages.some((message) => /^Finished: 5,000 rows .* rows\/s\)$/.test(message)),
      messages.join('\n'),
    );
    assert.match(messages.at(-1)!, /^Completed: 5,000 rows/);
  });

  test('incremental fetch reads past the cursor and upserts; refetch, resync and rebuild each do what they say', async () => {
    await seed('modes', 3000);
    const harness = createHarness();
    const schemas = [{ schemaId: 'public.modes', trackingField: 'updated_at' }];
    const plan = (overrides: object = {}) =>
      planOf(source, destination, {
        syncId: 'modes',
        schemas,
        normalizeNames: 'disabled',
        copyChunkSize: 700,
        ...overrides,
      });
    assertCompleted(await harness.run(plan()));
    await same('public.modes', 'public.modes');

    // normal: only changed and new rows (plus the rows tied with the cursor, re-read on purpose).
    await sourceSql.query(`update modes set name = 'changed', updated_at = now() where id in (5, 6)`);
    await sourceSql.query(`insert into modes select 3001, 'new', 1, now(), null, null, null`);
    const incremental = await harness.run(plan());
    assertCompleted(incremental);
    assert.equal(incremental.schemas[0]!.incremental, true);
    assert.ok(incremental.recordCount >= 3 && incremental.recordCount <= 4, String(incremental.recordCount));
    await same('public.modes', 'public.modes');

    // refetch: everything re-read and upserted; a destination-only row survives (nothing truncated).
    await destinationSql.query(`insert into modes (id, name, updated_at) values (-1, 'destination only', now())`);
    await destinationSql.query(`update modes set name = 'drifted' where id = 10`);
    const refetch = await harness.run(plan({ resyncMode: 'refetch' }));
    assertCompleted(refetch);
    assert.equal(refetch.recordCount, 3001);
    const drifted = await destinationSql.query(`select id, name from modes where id in (-1, 10) order by id`);
    assert.deepEqual(drifted.rows, [
      { id: -1, name: 'destination only' },
      { id: 10, name: 'name 10 🚀' },
    ]);

    // resync: truncated, then reloaded.
    const resync = await harness.run(plan({ resyncMode: 'resync' }));
    assertCompleted(resync);
    await same('public.modes', 'public.modes');

    // rebuild: an incompatible type change on the source is taken over by dropping and recreating.
    await sourceSql.query(`alter table modes alter column amount type text using amount::text || ' units'`);
    const normalAfterChange = await harness.run(plan());
    assert.equal(normalAfterChange.status, 'failed', 'text into numeric must fail before a rebuild');
    assert.equal(normalAfterChange.schemas[0]!.error?.retryable, false);
    const rebuild = await harness.run(plan({ resyncMode: 'rebuild' }));
    assertCompleted(rebuild);
    const type = await destinationSql.query(
      `select format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = 'public.modes'::regclass and attname = 'amount'`,
    );
    assert.equal(type.rows[0].type, 'text');
    await same('public.modes', 'public.modes');
  });

  test('a field added on the source is added to the destination', async () => {
    await seed('evolving', 500);
    const harness = createHarness();
    const plan = () =>
      planOf(source, destination, {
        syncId: 'evolving',
        normalizeNames: 'disabled',
        schemas: [{ schemaId: 'public.evolving', trackingField: 'updated_at' }],
      });
    assertCompleted(await harness.run(plan()));
    await sourceSql.query(`alter table evolving add column note text`);
    await sourceSql.query(`update evolving set note = 'noted', updated_at = now() where id <= 3`);
    const second = await harness.run(plan());
    assertCompleted(second);
    assert.ok(
      harness.consoleLog.entries.some((entry) => entry.message === 'Destination: add fields evolving (note)'),
      harness.consoleLog.entries.map((entry) => entry.message).join('\n'),
    );
    await same('public.evolving', 'public.evolving');
  });

  test('data cutoff, field selection and output names', async () => {
    await seed('selected', 1000);
    const harness = createHarness();
    const cutoff = '2024-01-01T10:00:00Z'; // id 600 is at 10:00:00.123456, so ids 600… are copied
    const result = await harness.run(
      planOf(source, destination, {
        syncId: 'selected',
        schemas: [
          {
            schemaId: 'public.selected',
            fields: ['name', 'Mixed Case'],
            outputName: 'Chosen',
            trackingField: 'updated_at',
            dataCutoffTimestamp: cutoff,
          },
        ],
      }),
    );
    assertCompleted(result);
    assert.equal(result.recordCount, 401);
    const rows = await readTable(destination.bulkSource, 'Chosen', 'id');
    const expected = (await readTable(source.bulkSource, 'public.selected', 'id')).filter(
      (row) => (row.id as number) >= 600,
    );
    // Key and tracking fields are always copied; names are normalised except user_output_name.
    assert.deepEqual(
      rows,
      expected.map((row) => ({
        id: row.id,
        name: row.name,
        updated_at: row.updated_at,
        mixed_case: row['Mixed Case'],
      })),
    );
  });

  test('snapshot mode appends a full copy per execution with its timestamp', async () => {
    await seed('snap', 300);
    const harness = createHarness();
    const plan = () =>
      planOf(source, destination, {
        syncId: 'snap',
        mode: 'snapshot',
        normalizeNames: 'disabled',
        schemas: [{ schemaId: 'public.snap', outputName: 'snap_history' }],
      });
    const first = plan();
    const second = plan();
    const firstResult = await harness.run(first);
    assertCompleted(firstResult);
    // The snapshot column is created as timestamptz, so the copy stays binary.
    assert.equal(firstResult.schemas[0]!.path, 'copy_binary');
    await sourceSql.query(`update snap set name = 'later' where id = 1`);
    assertCompleted(await harness.run(second));
    const counts = await destinationSql.query(
      `select _ferry_execution_timestamp as at, count(*)::int as count from snap_history group by 1 order by 1`,
    );
    assert.deepEqual(counts.rows, [
      { at: first.executionTimestamp.replace('.000Z', '.000000Z'), count: 300 },
      { at: second.executionTimestamp.replace('.000Z', '.000000Z'), count: 300 },
    ]);
    const names = await destinationSql.query(
      `select name from snap_history where id = 1 order by _ferry_execution_timestamp`,
    );
    assert.deepEqual(
      names.rows.map((row) => row.name),
      ['name 1 🚀', 'later'],
    );
    const key = await destinationSql.query(
      `select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indrelid = 'snap_history'::regclass and i.indisprimary order by a.attname`,
    );
    assert.deepEqual(
      key.rows.map((row) => row.attname),
      ['_ferry_execution_timestamp', 'id'],
    );
    const latest = await destinationSql.query(
      `select * from snap_history where _ferry_execution_timestamp = $1 order by id`,
      [second.executionTimestamp],
    );
    assert.deepEqual(
      pick(latest.rows, ['id', 'name']),
      pick(await readTable(source.bulkSource, 'public.snap', 'id'), ['id', 'name']),
    );
  });

  test('a table without a primary key is truncated and reloaded on every run', async () => {
    await sourceSql.query(`create table events (at timestamptz, kind text)`);
    await sourceSql.query(
      `insert into events select '2024-01-01'::timestamptz + i * interval '1 hour', 'k' || (i % 3) from generate_series(1, 250) i`,
    );
    const harness = createHarness();
    const plan = () => planOf(source, destination, { syncId: 'events', schemas: [{ schemaId: 'public.events' }] });
    assertCompleted(await harness.run(plan()));
    const second = await harness.run(plan());
    assertCompleted(second);
    assert.equal(second.schemas[0]!.warningCount, 1);
    const count = await destinationSql.query(`select count(*)::int as count from events`);
    assert.equal(count.rows[0].count, 250);
  });

  test('schemas run in parallel up to the concurrency', async () => {
    for (const table of ['p1', 'p2', 'p3', 'p4']) await seed(table, 2000);
    let running = 0;
    let peak = 0;
    const harness = createHarness();
    const { runBulkSync } = await import('../../../src/engine/bulk/bulk-sync-runner.ts');
    const { createMockRunContext } = await import('../../kit/mock-run-context.ts');
    const states = new Map<string, string>();
    const result = await runBulkSync(
      createMockRunContext(),
      planOf(source, destination, {
        syncId: 'parallel',
        normalizeNames: 'disabled',
        concurrency: 2,
        copyChunkSize: 500,
        schemas: ['p1', 'p2', 'p3', 'p4'].map((table) => ({ schemaId: `public.${table}` })),
      }),
      {
        checkpoints: harness.checkpoints,
        consoleLog: harness.consoleLog,
        onSchemaUpdate(execution) {
          const before = states.get(execution.schemaId);
          if (before !== 'running' && execution.status === 'running') running += 1;
          if (before === 'running' && execution.status !== 'running') running -= 1;
          states.set(execution.schemaId, execution.status);
          peak = Math.max(peak, running);
        },
      },
    );
    assertCompleted(result);
    assert.equal(peak, 2);
    for (const table of ['p1', 'p2', 'p3', 'p4']) await same(`public.${table}`, `public.${table}`);
  });
});
