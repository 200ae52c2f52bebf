// The resource-read scenarios' organization: `count` connections, bulk syncs and model syncs. One of each is made
// through the API (SQLite source and destination; the bulk sync has a daily default and a weekly additional
// schedule, as the issue measured), then the stored rows are copied under new ids, so that the reads go through the
// same code as for resources made by hand, and the lists hold `count` of each.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Ferry } from '../../src/ferry.ts';
import { seedConnections } from './seed-connections.ts';

export interface SeededResources {
  connectionId: string;
  modelSyncId: string;
  bulkSyncId: string;
}

async function post(url: string, apiKey: string, path: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { data: { id: string } }).data;
}

export async function seedResources(
  ferry: Ferry,
  url: string,
  apiKey: string,
  organizationId: string,
  dataDir: string,
  count: number,
): Promise<SeededResources> {
  const directory = join(dataDir, 'bench-sources');
  mkdirSync(directory, { recursive: true });
  const sourcePath = join(directory, 'source.db');
  const source = new Database(sourcePath);
  source.exec(
    'create table people (id integer primary key, email text, name text, plan text, updated_at text); ' +
      "insert into people values (1, 'a@example.com', 'A', 'pro', '2026-01-01T00:00:00Z')",
  );
  source.close();
  const destinationPath = join(directory, 'destination.db');
  const destination = new Database(destinationPath);
  destination.exec('create table contacts (id integer primary key, email text, name text)');
  destination.close();

  const sourceConnection = await post(url, apiKey, '/api/connections', {
    name: 'Warehouse',
    type: 'sqlite',
    configuration: { path: sourcePath },
  });
  const destinationConnection = await post(url, apiKey, '/api/connections', {
    name: 'Application database',
    type: 'sqlite',
    configuration: { path: destinationPath },
  });
  const model = await post(url, apiKey, '/api/models', {
    name: 'People',
    connection_id: sourceConnection.id,
    configuration: { table: 'people' },
    identifier: 'id',
  });
  const field = (name: string) => ({ field: name, model_id: model.id });
  const modelSync = await post(url, apiKey, '/api/syncs', {
    name: 'People to contacts',
    mode: 'updateOrCreate',
    schedule: { frequency: 'daily', hour: '02', minute: '30' },
    target: { connection_id: destinationConnection.id, object: 'contacts' },
    identity: { source: field('id'), target: 'id', function: 'Equality' },
    fields: [
      { source: field('email'), target: 'email' },
      { source: field('name'), target: 'name' },
    ],
  });
  const bulkSync = await post(url, apiKey, '/api/bulk/syncs', {
    name: 'Nightly copy',
    source_connection_id: sourceConnection.id,
    destination_connection_id: destinationConnection.id,
    destination_configuration: {},
    default_schedule: { frequency: 'daily', hour: '01', minute: '00' },
    additional_schedules: [
      { frequency: 'weekly', day_of_week: 'sunday', hour: '03', minute: '00', resync_mode: 'rebuild' },
    ],
  });

  const { repositories } = ferry.context;
  const bulkRow = (await repositories.bulkSyncs.get(organizationId, bulkSync.id))!;
  const bulkSchemas = await repositories.bulkSyncs.schemas(bulkSync.id);
  const modelSyncRow = (await repositories.modelSyncs.get(organizationId, modelSync.id))!;
  // Each copy a second older than the last, as resources made over time are: lists are ordered by updated_at, and
  // 1,000 equal times would make every list sort all its rows by id (not what an organization's data looks like).
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  for (let index = 1; index < count; index += 1) {
    const bulkId = randomUUID();
    const at = new Date(start - index * 1000).toISOString();
    const times = { created_at: at, updated_at: at };
    await repositories.bulkSyncs.insert(
      { ...bulkRow, ...times, id: bulkId, name: `${bulkRow.name} ${index}` },
      bulkSchemas.map((schema) => ({ ...schema, sync_id: bulkId })),
    );
    await repositories.modelSyncs.insert({
      ...modelSyncRow,
      ...times,
      id: randomUUID(),
      name: `${modelSyncRow.name} ${index}`,
    });
  }
  await seedConnections(ferry, organizationId, count - 2);
  return { connectionId: sourceConnection.id, modelSyncId: modelSync.id, bulkSyncId: bulkSync.id };
}
