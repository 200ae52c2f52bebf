// Sources for the schema, metadata and query-runner tests: a SQLite file and (when reachable) a scratch
// PostgreSQL database, each with a small table, plus helpers to make connections over HTTP and wait for jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import pg from 'pg';
import { call, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, type ScratchDatabase } from '../kit/services.ts';
import type { ReadBack } from '../kit/read-back.ts';

export interface SqliteSource {
  path: string;
  remove(): void;
}

/** `users(id integer primary key, email text not null, score real)` with `rows` rows, and an empty `events` table. */
export function createSqliteSource(rows = 3): SqliteSource {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-source-'));
  const path = join(directory, 'source.db');
  const database = new Database(path);
  database.exec(
    'create table users (id integer primary key, email text not null, score real); create table events (id integer primary key, kind text)',
  );
  const insert = database.prepare('insert into users (id, email, score) values (?, ?, ?)');
  for (let index = 1; index <= rows; index += 1) insert.run(index, `user${index}@example.com`, index / 2);
  database.close();
  return { path, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

/** A scratch database with `public.accounts(id serial primary key, name text)` holding `rows` rows. */
export async function createPostgresSource(rows = 3): Promise<ScratchDatabase> {
  const scratch = await createPostgresDatabase('ferry_source');
  const client = new pg.Client({ connectionString: scratch.url });
  await client.connect();
  try {
    await client.query('create table accounts (id serial primary key, name text not null, balance numeric(12,2))');
    await client.query(
      'insert into accounts (name, balance) select $1 || n, n * 1.5 from generate_series(1, $2::int) n',
      ['account ', rows],
    );
  } finally {
    await client.end();
  }
  return scratch;
}

/** A `mysql` connection configuration for a scratch database on the local MariaDB (root, no password). */
export function mysqlConfiguration(scratch: ScratchDatabase) {
  const url = new URL(scratch.url);
  return {
    hostname: url.hostname,
    port: Number(url.port || 3306),
    account: decodeURIComponent(url.username),
    passwd: '',
    dbname: scratch.name,
    ssl: false,
  };
}

export function postgresConfiguration(scratch: ScratchDatabase) {
  return {
    hostname: '127.0.0.1',
    port: 5432,
    database: scratch.name,
    username: 'postgres',
    password: 'unused-with-trust',
    ssl: false,
  };
}

export async function createConnection(
  server: TestFerry,
  type: string,
  configuration: Record<string, unknown>,
  key = server.apiKey,
  name = `${type} source`,
): Promise<string> {
  const created = await call(server.url, 'POST', '/api/connections', {
    key,
    body: { name, type, configuration, validate: true },
  });
  assert.equal(created.status, 200, created.text);
  return created.body.data.id;
}

/** Polls GET /api/jobs/{type}/{id} until the job is done or failed (5 s at most). */
export async function waitForJob(
  server: TestFerry,
  type: string,
  id: string,
  options: { key?: string; version?: string } = {},
): Promise<ReadBack> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const job = await call(server.url, 'GET', `/api/jobs/${type}/${id}`, {
      key: options.key ?? server.apiKey,
      version: options.version,
    });
    assert.equal(job.status, 200, job.text);
    if (job.body.data.status === 'done' || job.body.data.status === 'failed') return job.body.data;
    if (Date.now() > deadline) assert.fail(`job ${type}/${id} still ${job.body.data.status} after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A second organization (made with the partner key) and an API key acting in it. */
export async function otherOrganizationKey(server: TestFerry): Promise<string> {
  const organization = await call(server.url, 'POST', '/api/organizations', {
    key: server.partnerKey,
    body: { name: `Other ${Math.random().toString(36).slice(2)}` },
  });
  assert.equal(organization.status, 200, organization.text);
  const user = await call(server.url, 'POST', `/api/organizations/${organization.body.data.id}/users`, {
    key: server.partnerKey,
    body: { email: `other-${Math.random().toString(36).slice(2)}@example.com`, role: 'admin' },
  });
  assert.equal(user.status, 200, user.text);
  const key = await call(
    server.url,
    'POST',
    `/api/organizations/${organization.body.data.id}/users/${user.body.data.id}/keys`,
    { key: server.partnerKey },
  );
  assert.equal(key.status, 200, key.text);
  return key.body.data.value;
}
