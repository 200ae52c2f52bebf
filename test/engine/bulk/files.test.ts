// postgresql → files (CSV and Parquet) and files → postgresql through the engine (record path),
// compared row by row. The files connector keeps each field's kind in its sidecar, so values come back
// in the same conventions; `comparable()` folds only decimal trailing zeros and binary (hex). A copy into
// Parquet takes the destination's batches (one row group each) unless the plan sets its own, and a crash
// between such a batch's append and its checkpoint resumes to every row exactly once.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Connection, Row } from '../../../src/connectors/connector.ts';
import { createFilesConnector } from '../../../src/connectors/files/files-connector.ts';
import type { CheckpointStore } from '../../../src/engine/bulk/checkpoint-store.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../../kit/services.ts';
import { assertCompleted, createHarness, openPostgres, planOf, readTable } from './bulk-test-kit.ts';

const unavailable = await postgresUnavailable();

function comparable(rows: Row[]): Row[] {
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([key, value]) => [
        key,
        Buffer.isBuffer(value)
          ? value.toString('hex')
          : typeof value === 'string' && /^-?\d+\.\d+$/.test(value)
            ? value.replace(/\.?0+$/, '')
            : value,
      ]),
    ),
  );
}

describe('bulk engine: files', { skip: unavailable }, () => {
  let database: ScratchDatabase;
  let postgres: PostgresConnection;
  let sql: pg.Pool;
  let directory: string;
  const files = (format: string, sub: string): Connection =>
    createFilesConnector().open({ path: join(directory, sub), format });

  before(async () => {
    database = await createPostgresDatabase('ferry_bulk_files');
    postgres = openPostgres(database);
    sql = new pg.Pool({ connectionString: database.url, max: 2 });
    directory = mkdtempSync(join(tmpdir(), 'ferry-bulk-files-'));
    for (const sub of ['csv', 'parquet']) (await import('node:fs')).mkdirSync(join(directory, sub));
    await sql.query(
      `create table people (id integer primary key, name text, salary numeric(12,2), joined timestamptz, active boolean, tags jsonb, photo bytea)`,
    );
    await sql.query(
      `insert into people select i, 'Person, "' || i || '"' || chr(10) || 'line two', i * 100.25, '2024-01-01T00:00:00.5Z'::timestamptz + i * interval '1 day', i % 2 = 0, jsonb_build_array(i, 'x'), '\\x0102'::bytea from generate_series(1, 1200) i`,
    );
    await sql.query(`insert into people (id) values (5000)`);
    await sql.query(`create table wide (id bigint primary key, note text)`);
    await sql.query(`insert into wide select i, 'note ' || i from generate_series(1, 120000) i`);
  });
  after(async () => {
    await Promise.all([postgres?.close(), sql?.end()]);
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  for (const format of ['csv', 'parquet']) {
    test(`postgresql → files (${format}) and back: files → postgresql`, async () => {
      const target = files(format, format);
      const out = await createHarness().run(
        planOf(postgres, target, { syncId: `to-${format}`, schemas: [{ schemaId: 'public.people' }], batchSize: 400 }),
      );
      assertCompleted(out);
      const expected = comparable(await readTable(postgres.bulkSource, 'public.people', 'id'));
      assert.deepEqual(comparable(await readTable(target.bulkSource, 'people', 'id')), expected);

      const back = await createHarness().run(
        planOf(target, postgres, {
          syncId: `from-${format}`,
          schemas: [{ schemaId: 'people', outputName: `people_from_${format}` }],
          batchSize: 500,
        }),
      );
      assertCompleted(back);
      // Zoned timestamps come back as instants (timestamptz), exactly as they left.
      assert.deepEqual(comparable(await readTable(postgres.bulkSource, `people_from_${format}`, 'id')), expected);
    });
  }

  async function rowGroupsOf(path: string): Promise<number[]> {
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    return metadata.row_groups.map((group) => Number(group.num_rows));
  }

  test('a copy into Parquet writes row groups of the batch size the destination prefers, unless the plan sets one', async () => {
    const target = files('parquet', 'parquet');
    const preferred = target.bulkDestination!.preferredBatchRows!;
    assert.ok(preferred > 5000 && preferred < 120_000, `preferred ${preferred}`);
    assertCompleted(
      await createHarness().run(
        planOf(postgres, target, {
          syncId: 'wide-default',
          schemas: [{ schemaId: 'public.wide', outputName: 'wide' }],
        }),
      ),
    );
    const groups = await rowGroupsOf(join(directory, 'parquet', 'wide.parquet'));
    assert.deepEqual(
      groups,
      [...Array(Math.floor(120_000 / preferred)).fill(preferred), 120_000 % preferred].filter(Boolean),
    );
    assertCompleted(
      await createHarness().run(
        planOf(postgres, target, {
          syncId: 'wide-planned',
          schemas: [{ schemaId: 'public.wide', outputName: 'wide_planned' }],
          batchSize: 40_000,
        }),
      ),
    );
    assert.deepEqual(await rowGroupsOf(join(directory, 'parquet', 'wide_planned.parquet')), [40_000, 40_000, 40_000]);
  });

  test('a crash between appending a Parquet row group and its checkpoint resumes to every row exactly once', async () => {
    const target = files('parquet', 'parquet');
    const inner = createMemoryCheckpointStore();
    const first = createMockRunContext();
    let saves = 0;
    // The destination committed the second batch, but the process dies before its checkpoint is written.
    const crashing: CheckpointStore = {
      ...inner,
      async save(checkpoint) {
        if (checkpoint.phase === 'loading' && checkpoint.rows > 0 && ++saves === 2) {
          first.abort();
          throw new Error('simulated crash before the checkpoint');
        }
        await inner.save(checkpoint);
      },
    };
    const plan = planOf(postgres, target, {
      syncId: 'wide-crash',
      schemas: [{ schemaId: 'public.wide', outputName: 'wide_crash' }],
    });
    const interrupted = await createHarness(crashing).run(plan, first);
    assert.notEqual(interrupted.status, 'completed');
    const preferred = target.bulkDestination!.preferredBatchRows!;
    assert.deepEqual(await rowGroupsOf(join(directory, 'parquet', 'wide_crash.parquet')), [preferred, preferred]);
    assert.equal((await inner.load('wide-crash', 'public.wide'))?.rows, preferred);

    assertCompleted(await createHarness(inner).run(plan));
    const ids = (await readTable(target.bulkSource, 'wide_crash', 'id')).map((row) => Number(row.id));
    assert.equal(ids.length, 120_000);
    assert.equal(new Set(ids).size, 120_000, 'no duplicates');
    assert.deepEqual([ids[0], ids.at(-1)], [1, 120_000]);
  });
});
