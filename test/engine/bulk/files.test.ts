// postgresql → files (CSV and Parquet) and files → postgresql through the engine (record path),
// compared row by row. The files connector keeps each field's kind in its sidecar, so values come back
// in the same conventions; `comparable()` folds only decimal trailing zeros and binary (hex).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Connection, Row } from '../../../src/connectors/connector.ts';
import { createFilesConnector } from '../../../src/connectors/files/files-connector.ts';
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
});
