// The official client, polytomic@1.18.1, unmodified, at 2024-02-08: schemas, bulk-sync source and destination,
// model-sync metadata, the query runner and jobs against a SQLite connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient, PolytomicError } from 'polytomic';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createConnection, createSqliteSource, type SqliteSource } from './connection-data-kit.ts';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`still not done: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('official polytomic@1.18.1 client at 2024-02-08: schemas, metadata, query runner, jobs', () => {
  let server: TestFerry;
  let client: PolytomicClient;
  let sqlite: SqliteSource;
  let connectionId: string;
  before(async () => {
    server = await startFerry('sqlite');
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    sqlite = createSqliteSource(3);
    connectionId = await createConnection(server, 'sqlite', { path: sqlite.path });
  });
  after(async () => {
    await server.close();
    sqlite.remove();
  });

  test('schemas.refresh, schemas.getStatus and schemas.get', async () => {
    await client.schemas.refresh(connectionId);
    const status = await until(
      () => client.schemas.getStatus(connectionId),
      (value) => value.data?.cache_status === 'fresh',
    );
    assert.ok(status.data?.last_refresh_finished);
    const schema = await client.schemas.get(connectionId, 'users');
    assert.equal(schema.data?.id, 'users');
    assert.deepEqual(
      schema.data?.fields?.map((field) => [field.id, field.type, field.is_primary_key]),
      [
        ['id', 'number', true],
        ['email', 'string', false],
        ['score', 'number', false],
      ],
    );
    await assert.rejects(
      client.schemas.get(connectionId, 'nope'),
      (error: unknown) => error instanceof PolytomicError && error.statusCode === 404,
    );
  });

  test('schemas.getRecords, upsertField, deleteField, setPrimaryKeys and resetPrimaryKeys', async () => {
    const records = await client.schemas.getRecords(connectionId, 'users');
    assert.equal(records.data?.length, 3);
    await client.schemas.upsertField(connectionId, 'users', {
      fields: [{ field_id: 'nickname', label: 'Nickname', type: 'string' }],
    });
    assert.ok((await client.schemas.get(connectionId, 'users')).data?.fields?.some((field) => field.id === 'nickname'));
    await client.schemas.deleteField(connectionId, 'users', 'nickname');
    await client.schemas.setPrimaryKeys(connectionId, 'users', {
      fields: [{ field_id: 'email', is_primary_key: true }],
    });
    const keys = (await client.schemas.get(connectionId, 'users')).data?.fields
      ?.filter((field) => field.is_primary_key)
      .map((field) => field.id);
    assert.deepEqual(keys, ['id', 'email']);
    await client.schemas.resetPrimaryKeys(connectionId, 'users');
  });

  test('bulkSync.getSource and bulkSync.getDestination', async () => {
    const source = await client.bulkSync.getSource(connectionId, { include_fields: true });
    assert.deepEqual(
      source.data?.schemas?.map((schema) => schema.id),
      ['events', 'users'],
    );
    assert.equal(source.data?.schemas?.[1]?.fields?.length, 3);
    const destination = await client.bulkSync.getDestination(connectionId);
    assert.deepEqual(
      destination.data?.modes?.map((mode) => mode.id),
      ['replicate', 'snapshot'],
    );
  });

  test('modelSync.getSource, getSourceFields and targets.list / getTargetFields / getTarget', async () => {
    const source = await client.modelSync.getSource(connectionId);
    assert.deepEqual(source.data?.requires_one_of, ['query', 'table']);
    const fields = await client.modelSync.getSourceFields(connectionId, {
      params: { query: ['select id, email from users'] },
    });
    assert.deepEqual(
      fields.data?.map((field) => field.id),
      ['id', 'email'],
    );
    const ofTable = await client.modelSync.getSourceFields(connectionId, { params: { table: ['users'] } });
    assert.equal(ofTable.data?.length, 3);
    const targets = await client.modelSync.targets.list(connectionId);
    assert.ok(targets.data?.some((target) => target.id === 'users'));
    const target = await client.modelSync.targets.getTargetFields(connectionId, { target: 'users' });
    assert.equal(target.data?.id, 'users');
    const legacy = await client.modelSync.targets.getTarget(connectionId);
    assert.ok(legacy.data?.items);
  });

  test('queryRunner.runQuery, queryRunner.getQuery and jobs.get', async () => {
    const started = await client.queryRunner.runQuery(connectionId, { query: 'select id from users order by id' });
    const id = started.data!.id!;
    assert.ok(started.data?.expires);
    const job = await until(
      () => client.jobs.get(id, 'query'),
      (value) => value.data?.status === 'done',
    );
    assert.equal(job.data?.job_id, id);
    const result = await client.queryRunner.getQuery(id, { page: '1' });
    assert.equal(result.data?.status, 'done');
    assert.deepEqual(result.data?.results, [{ id: 1 }, { id: 2 }, { id: 3 }]);
    assert.deepEqual(result.data?.fields, ['id']);
    await assert.rejects(
      client.jobs.get(id, 'createmodel'),
      (error: unknown) => error instanceof PolytomicError && error.statusCode === 404,
    );
  });
});
