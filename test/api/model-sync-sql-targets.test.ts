// Model syncs into MySQL/MariaDB and SQLite tables, end to end through the public API (PostgreSQL targets are in
// model-sync-e2e.test.ts): updateOrCreate sends the backfill, then only the changed and new rows; replace also
// deletes the rows that left the model; the target's rows are read back from the real database each time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createMysqlDatabase, mysqlUnavailable, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import { createConnection } from './connection-data-kit.ts';
import {
  createExecutionWorld,
  createSync,
  person,
  range,
  runToCompletion,
  setPeople,
  type ExecutionWorld,
} from './model-sync-execution-kit.ts';

interface ContactRow {
  email: string;
  full_name: string;
  tier: string;
}

interface SqlTarget {
  name: string;
  connection: { type: string; configuration: Record<string, unknown> };
  object: string;
  rows(): Promise<ContactRow[]>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

async function sqliteTarget(): Promise<SqlTarget> {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-sqlite-target-'));
  const path = join(directory, 'target.db');
  const database = new Database(path);
  database.exec('create table contacts (email text primary key, full_name text, tier text)');
  database.close();
  return {
    name: 'sqlite',
    connection: { type: 'sqlite', configuration: { path } },
    object: 'contacts',
    async rows() {
      const reader = new Database(path, { readonly: true });
      try {
        return reader.prepare('select email, full_name, tier from contacts order by email').all() as ContactRow[];
      } finally {
        reader.close();
      }
    },
    async clear() {
      const writer = new Database(path);
      writer.exec('delete from contacts');
      writer.close();
    },
    async close() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function mysqlTarget(scratch: ScratchDatabase): Promise<SqlTarget> {
  const url = new URL(scratch.url);
  const admin = await mysql.createConnection({ uri: scratch.url });
  // The identity is not the table's key here: the writer must match rows by it all the same.
  await admin.query(
    'create table contacts (id int auto_increment primary key, email varchar(100) not null, full_name text, tier text, key by_email (email))',
  );
  return {
    name: 'mysql',
    connection: {
      type: 'mysql',
      configuration: {
        hostname: url.hostname,
        port: Number(url.port || 3306),
        account: 'root',
        dbname: scratch.name,
        ssl: false,
      },
    },
    object: `${scratch.name}.contacts`,
    async rows() {
      const [rows] = await admin.query('select email, full_name, tier from contacts order by email');
      return rows as ContactRow[];
    },
    async clear() {
      await admin.query('delete from contacts');
    },
    async close() {
      await admin.end();
      await scratch.drop();
    },
  };
}

const expected = (people: ReturnType<typeof person>[]) =>
  people
    .map((one) => ({ email: one.email, full_name: one.name, tier: one.plan }))
    .sort((a, b) => a.email.localeCompare(b.email));

describe('model syncs into MySQL and SQLite tables', {
  skip: (await postgresUnavailable()) ?? (await mysqlUnavailable()),
}, () => {
  let server: TestFerry;
  let world: ExecutionWorld;
  const targets: SqlTarget[] = [];

  before(async () => {
    server = await startFerry('sqlite', { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
    world = await createExecutionWorld(server, range(1, 20));
    targets.push(await sqliteTarget(), await mysqlTarget(await createMysqlDatabase('ferry_ms_mysql')));
  });
  after(async () => {
    await server?.close();
    await world?.remove();
    for (const target of targets) await target.close();
  });

  for (const mode of ['updateOrCreate', 'replace'] as const) {
    test(`${mode}: backfill, then only changes${mode === 'replace' ? ', and deletes' : ''}, into each table target`, async () => {
      for (const target of targets) {
        await setPeople(world.source, range(1, 20));
        const connectionId = await createConnection(
          server,
          target.connection.type,
          target.connection.configuration,
          server.apiKey,
          `${target.name} ${mode}`,
        );
        const source = (field: string) => ({ field, model_id: world.modelId });
        const syncId = await createSync(server, {
          name: `People ${mode} → ${target.name}`,
          mode,
          schedule: { frequency: 'manual' },
          target: { connection_id: connectionId, object: target.object },
          identity: { source: source('email'), target: 'email', function: 'Equality' },
          fields: [
            { source: source('name'), target: 'full_name' },
            { source: source('plan'), target: 'tier' },
          ],
        });
        const first = await runToCompletion(server, syncId);
        assert.deepEqual(
          [first.counts.insert, first.counts.update, first.counts.error],
          [20, 0, 0],
          `${target.name}: ${JSON.stringify(first.counts)}`,
        );
        assert.deepEqual(await target.rows(), expected(range(1, 20)), target.name);

        // Two renamed, one new, two gone from the model.
        const next = [
          ...range(3, 20).map((one) => (one.id === 5 || one.id === 6 ? { ...one, name: `${one.name} renamed` } : one)),
          person(21),
        ];
        await setPeople(world.source, next);
        const second = await runToCompletion(server, syncId);
        const deletes = mode === 'replace' ? 2 : 0;
        assert.deepEqual(
          [second.counts.insert, second.counts.update, second.counts.delete, second.counts.error],
          [1, 2, deletes, 0],
          `${target.name}: ${JSON.stringify(second.counts)}`,
        );
        const kept = mode === 'replace' ? [] : range(1, 2);
        assert.deepEqual(await target.rows(), expected([...kept, ...next]), target.name);
        await runToCompletion(server, syncId);
        assert.deepEqual(
          await target.rows(),
          expected([...kept, ...next]),
          `${target.name}: an unchanged model changes nothing`,
        );
        await target.clear();
      }
    });
  }
});
