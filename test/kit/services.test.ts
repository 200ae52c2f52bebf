import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresDatabase, postgresUnavailable } from './services.ts';

test('a scratch PostgreSQL database is created empty and dropped', async (t) => {
  const reason = await postgresUnavailable();
  if (reason) return t.skip(reason);
  const database = await createPostgresDatabase('kit');
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query(
    "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
  );
  await client.end();
  assert.equal(rows[0].n, 0);
  await database.drop();
  const admin = new pg.Client({ connectionString: (await import('./services.ts')).postgresAdminUrl });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [database.name]);
  await admin.end();
  assert.equal(exists.rowCount, 0);
});
