// What the operations tests (metrics, logs, the CLI) run: a bulk sync and a model sync between real SQLite files,
// created over HTTP on a real server. The bulk sync copies `users` and `events` into an empty database file; the
// model sync sends the `users` model into a `contacts` table keyed by id. A third, failing bulk sync reads a source
// file that is deleted after the sync was made.
import type { ReadBack } from '../kit/read-back.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call } from '../kit/ferry-server.ts';

export interface FerryApi {
  url: string;
  apiKey: string;
}

export interface SqliteSyncWorld {
  bulkSyncId: string;
  modelSyncId: string;
  /** A bulk sync whose source file is gone: each run fails. */
  failingBulkSyncId: string;
  users: number;
  events: number;
  destinationPath: string;
  targetPath: string;
  remove(): void;
}

async function post(server: FerryApi, path: string, body: unknown): Promise<ReadBack> {
  const response = await call(server.url, 'POST', path, { key: server.apiKey, body });
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  return response.body.data;
}

export async function createSqliteSyncWorld(
  server: FerryApi,
  options: { users?: number; events?: number } = {},
): Promise<SqliteSyncWorld> {
  const users = options.users ?? 1200;
  const events = options.events ?? 300;
  const directory = mkdtempSync(join(tmpdir(), 'ferry-ops-'));
  const sourcePath = join(directory, 'source.db');
  const source = new Database(sourcePath);
  source.exec(
    'create table users (id integer primary key, email text not null, score real); create table events (id integer primary key, kind text)',
  );
  source.transaction(() => {
    const user = source.prepare('insert into users (id, email, score) values (?, ?, ?)');
    for (let index = 1; index <= users; index += 1) user.run(index, `user${index}@example.com`, index / 2);
    const event = source.prepare('insert into events (id, kind) values (?, ?)');
    for (let index = 1; index <= events; index += 1) event.run(index, index % 2 ? 'open' : 'close');
  })();
  source.close();
  const destinationPath = join(directory, 'destination.db');
  new Database(destinationPath).close();
  const targetPath = join(directory, 'target.db');
  const target = new Database(targetPath);
  target.exec('create table contacts (id integer primary key, email text, score real)');
  target.close();
  const doomedPath = join(directory, 'doomed.db');
  const doomed = new Database(doomedPath);
  doomed.exec('create table gone (id integer primary key)');
  doomed.close();

  const connection = async (name: string, path: string) =>
    (await post(server, '/api/connections', { name, type: 'sqlite', configuration: { path } })).id as string;
  const sourceId = await connection('Source', sourcePath);
  const destinationId = await connection('Destination', destinationPath);
  const targetId = await connection('Target', targetPath);
  const doomedId = await connection('Doomed', doomedPath);

  const bulk = await post(server, '/api/bulk/syncs', {
    name: 'Users and events',
    source_connection_id: sourceId,
    destination_connection_id: destinationId,
    destination_configuration: {},
    default_schedule: { frequency: 'manual' },
    schemas: ['users', 'events'],
  });
  const failing = await post(server, '/api/bulk/syncs', {
    name: 'Doomed copy',
    source_connection_id: doomedId,
    destination_connection_id: destinationId,
    destination_configuration: {},
    default_schedule: { frequency: 'manual' },
    schemas: ['gone'],
  });
  rmSync(doomedPath);
  const model = await post(server, '/api/models', {
    name: 'Users',
    connection_id: sourceId,
    configuration: { query: 'select id, email, score from users' },
  });
  const field = (name: string) => ({ field: name, model_id: model.id });
  const modelSync = await post(server, '/api/syncs', {
    name: 'Users to contacts',
    mode: 'updateOrCreate',
    schedule: { frequency: 'manual' },
    target: { connection_id: targetId, object: 'contacts' },
    identity: { source: field('id'), target: 'id', function: 'Equality' },
    fields: [
      { source: field('email'), target: 'email' },
      { source: field('score'), target: 'score' },
    ],
  });
  return {
    bulkSyncId: bulk.id,
    modelSyncId: modelSync.id,
    failingBulkSyncId: failing.id,
    users,
    events,
    destinationPath,
    targetPath,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

const terminal = ['completed', 'failed', 'canceled', 'interrupted'];

/** Starts an execution over HTTP and polls it until it ends. */
export async function runToEnd(server: FerryApi, kind: 'bulk' | 'model', syncId: string): Promise<ReadBack> {
  const base = kind === 'bulk' ? `/api/bulk/syncs/${syncId}` : `/api/syncs/${syncId}`;
  const started = await post(server, `${base}/executions`, {});
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await call(server.url, 'GET', `${base}/executions/${started.id}`, { key: server.apiKey });
    if (terminal.includes(response.body.data.status)) return response.body.data;
    if (Date.now() > deadline) throw new Error(`execution still ${response.body.data.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
