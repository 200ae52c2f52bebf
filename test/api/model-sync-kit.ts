// What the model-sync API tests point at: a SQLite source with `users`, a model on it (inserted through the
// repository, as POST /api/models would store it), a SQLite target with `contacts`, a files target (create-only
// objects) and an api connection (no model-target facet).
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, type TestFerry } from '../kit/ferry-server.ts';
import { createConnection, createSqliteSource } from './connection-data-kit.ts';

export interface ModelSyncWorld {
  modelId: string;
  otherModelId: string;
  sourceConnectionId: string;
  targetConnectionId: string;
  /** The target SQLite file, to inspect created fields. */
  targetPath: string;
  filesConnectionId: string;
  apiConnectionId: string;
  remove(): void;
}

/** Inserts a model row for `connectionId` with fields `fields` (all of type string unless named id). */
export async function insertModel(
  server: TestFerry,
  connectionId: string,
  name: string,
  fields: string[],
  organizationId = server.organizationId,
): Promise<string> {
  const now = new Date().toISOString();
  const id = randomUUID();
  await server.ferry.context.repositories.models.insert({
    id,
    organization_id: organizationId,
    name,
    connection_id: connectionId,
    type: 'sqlite',
    configuration: JSON.stringify({ query: `select ${fields.join(', ')} from users` }),
    identifier: null,
    fields: JSON.stringify(
      fields.map((field) => ({
        id: field,
        name: field,
        label: field,
        type: field === 'id' ? 'integer' : field === 'score' ? 'number' : 'string',
        remote_type: '',
        unique: field === 'id',
        user_added: false,
        created_at: now,
        updated_at: now,
      })),
    ),
    settings: '{}',
    version: 1,
    created_at: now,
    created_by: null,
    updated_at: now,
    updated_by: null,
  });
  return id;
}

export async function createModelSyncWorld(server: TestFerry): Promise<ModelSyncWorld> {
  const source = createSqliteSource(3);
  const directory = mkdtempSync(join(tmpdir(), 'ferry-model-sync-'));
  const targetPath = join(directory, 'target.db');
  const target = new Database(targetPath);
  target.exec('create table contacts (id integer primary key, email text, score real)');
  target.close();
  const filesPath = join(directory, 'files');
  mkdirSync(filesPath);
  writeFileSync(join(filesPath, 'people.csv'), 'id,email\n');

  const sourceConnectionId = await createConnection(
    server,
    'sqlite',
    { path: source.path },
    server.apiKey,
    'Users source',
  );
  const targetConnectionId = await createConnection(
    server,
    'sqlite',
    { path: targetPath },
    server.apiKey,
    'Contacts target',
  );
  const filesConnectionId = await createConnection(
    server,
    'files',
    { path: filesPath, format: 'csv' },
    server.apiKey,
    'Files target',
  );
  const api = await call(server.url, 'POST', '/api/connections', {
    key: server.apiKey,
    body: { name: 'An API', type: 'api', configuration: { url: 'https://api.example.invalid' } },
  });
  if (api.status !== 200) throw new Error(api.text);
  return {
    modelId: await insertModel(server, sourceConnectionId, 'Users', ['id', 'email', 'score']),
    otherModelId: await insertModel(server, sourceConnectionId, 'Other users', ['id', 'email']),
    sourceConnectionId,
    targetConnectionId,
    targetPath,
    filesConnectionId,
    apiConnectionId: api.body.data.id,
    remove() {
      source.remove();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A valid updateOrCreate sync body from the world's model into `contacts`. */
export function syncBody(world: ModelSyncWorld, overrides: Record<string, unknown> = {}) {
  const source = (field: string) => ({ field, model_id: world.modelId });
  return {
    name: 'Users to contacts',
    mode: 'updateOrCreate',
    schedule: { frequency: 'manual' },
    target: { connection_id: world.targetConnectionId, object: 'contacts' },
    identity: { source: source('id'), target: 'id', function: 'Equality' },
    fields: [
      { source: source('email'), target: 'email' },
      { source: source('score'), target: 'score' },
    ],
    ...overrides,
  };
}
