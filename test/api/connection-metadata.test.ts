// Connection metadata for sync builders over HTTP: bulk-sync source/destination, model source and its fields,
// model-sync target objects, fields and create properties, the 2024-only …/modelsync/target, the 2023-04-25
// paths (POST bodies read as the query), refusals for types that lack a capability, and organization scoping.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import {
  createConnection,
  createPostgresSource,
  createSqliteSource,
  otherOrganizationKey,
  postgresConfiguration,
  type SqliteSource,
} from './connection-data-kit.ts';

const pgReason = await postgresUnavailable();
const params = (value: unknown) => `params=${encodeURIComponent(JSON.stringify(value))}`;

describe('connection metadata', () => {
  let server: TestFerry;
  let sqlite: SqliteSource;
  let sqliteId: string;
  let apiId: string;
  const get = (path: string, version?: string) => call(server.url, 'GET', path, { key: server.apiKey, version });

  before(async () => {
    server = await startFerry('sqlite');
    sqlite = createSqliteSource(3);
    sqliteId = await createConnection(server, 'sqlite', { path: sqlite.path });
    const api = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'An API', type: 'api', configuration: { url: 'https://api.example.invalid' } },
    });
    assert.equal(api.status, 200, api.text);
    apiId = api.body.data.id;
  });
  after(async () => {
    await server.close();
    sqlite.remove();
  });

  test('bulk-sync source lists schemas, with fields only when include_fields=true', async () => {
    const bare = await get(`/api/connections/${sqliteId}/bulksync/source`);
    assert.equal(bare.status, 200, bare.text);
    assert.deepEqual(bare.body.data, {
      capabilities: { supports_tracking_fields: true },
      configuration: {},
      schemas: [
        { id: 'events', name: 'events' },
        { id: 'users', name: 'users' },
      ],
    });
    const full = await get(`/api/connections/${sqliteId}/bulksync/source?include_fields=true`);
    assert.deepEqual(full.body.data.schemas[1].fields[0], {
      id: 'id',
      name: 'id',
      type: 'number',
      remote_type: 'INTEGER',
      is_primary_key: true,
    });
  });

  test('bulk-sync destination: replicate and snapshot, and the resync modes', async () => {
    const destination = await get(`/api/connections/${sqliteId}/bulksync/target`);
    assert.equal(destination.status, 200, destination.text);
    assert.deepEqual(
      destination.body.data.modes.map((mode: { id: string }) => mode.id),
      ['replicate', 'snapshot'],
    );
    assert.deepEqual(destination.body.data.supported_resync_modes, ['refetch', 'resync', 'rebuild']);
  });

  test('model source: query or table; fields of a query or of a table', async () => {
    const source = await get(`/api/connections/${sqliteId}/modelsync/source`);
    assert.equal(source.status, 200, source.text);
    assert.deepEqual(source.body.data.requires_one_of, ['query', 'table']);
    assert.deepEqual(source.body.data.items.table.items, [
      { id: 'events', name: 'events' },
      { id: 'users', name: 'users' },
    ]);

    const ofQuery = await get(
      `/api/connections/${sqliteId}/modelsync/source/fields?${params({ query: ['select id, email as address from users'] })}`,
    );
    assert.equal(ofQuery.status, 200, ofQuery.text);
    assert.deepEqual(
      ofQuery.body.data.map((field: { id: string }) => field.id),
      ['id', 'address'],
    );
    const ofTable = await get(`/api/connections/${sqliteId}/modelsync/source/fields?${params({ table: 'users' })}`);
    assert.deepEqual(
      ofTable.body.data.map((field: { id: string; unique: boolean }) => [field.id, field.unique]),
      [
        ['id', true],
        ['email', false],
        ['score', false],
      ],
    );

    const missing = await get(`/api/connections/${sqliteId}/modelsync/source/fields`);
    assert.equal(missing.status, 400);
    assert.equal(missing.body.metadata.field, 'params');
    const notJson = await get(`/api/connections/${sqliteId}/modelsync/source/fields?params=%7Bnope`);
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.metadata.field, 'params');
    const badSql = await get(
      `/api/connections/${sqliteId}/modelsync/source/fields?${params({ query: ['select * from nowhere'] })}`,
    );
    assert.equal(badSql.status, 400);
    assert.match(badSql.body.message, /nowhere/);
    assert.equal(
      (await get(`/api/connections/${sqliteId}/modelsync/source/fields?${params({ table: ['nowhere'] })}`)).status,
      404,
    );
  });

  test('model-sync targets: objects with modes, fields with identity functions, no create properties', async () => {
    const objects = await get(`/api/connections/${sqliteId}/modelsync/targetobjects`);
    assert.equal(objects.status, 200, objects.text);
    const users = objects.body.data.find((object: { id: string }) => object.id === 'users');
    assert.ok(
      users.modes.some(
        (mode: { id: string; requires_identity: boolean }) => mode.id === 'updateOrCreate' && mode.requires_identity,
      ),
    );
    assert.deepEqual(objects.body.target_creation, { supported: false, properties: [] });

    const target = await get(`/api/connections/${sqliteId}/modelsync/target/fields?target=users`);
    assert.equal(target.status, 200, target.text);
    assert.equal(target.body.data.id, 'users');
    const id = target.body.data.fields.find((field: { id: string }) => field.id === 'id');
    assert.equal(id.supports_identity, true);
    assert.deepEqual(id.identity_functions, [{ id: 'equality', label: 'Equals' }]);
    assert.ok(target.body.data.modes.some((mode: { mode: string }) => mode.mode === 'create'));
    assert.equal((await get(`/api/connections/${sqliteId}/modelsync/target/fields?target=nowhere`)).status, 404);
    const noTarget = await get(`/api/connections/${sqliteId}/modelsync/target/fields`);
    assert.equal(noTarget.status, 400);
    assert.equal(noTarget.body.metadata.field, 'target');

    const property = await get(`/api/connections/${sqliteId}/modelsync/targetobjects/properties/name`);
    assert.equal(property.status, 404);
    assert.match(property.body.message, /cannot create target objects/);
  });

  test('GET …/modelsync/target exists only in 2024-02-08 and older', async () => {
    assert.equal((await get(`/api/connections/${sqliteId}/modelsync/target`)).status, 404);
    const legacy = await get(`/api/connections/${sqliteId}/modelsync/target?search=user`, '2024-02-08');
    assert.equal(legacy.status, 200, legacy.text);
    assert.deepEqual(legacy.body.data.items.target.items, [{ id: 'users', name: 'users' }]);
    const older = await get(`/api/connections/${sqliteId}/target`, '2023-04-25');
    assert.equal(older.status, 200, older.text);
  });

  test('2023-04-25: pre-2024 paths; the POST bodies of source and target fields become the query', async () => {
    const source = await get(`/api/bulk/source/${sqliteId}`, '2023-04-25');
    assert.equal(source.status, 200, source.text);
    assert.equal(source.body.data.schemas.length, 2);
    assert.equal((await get(`/api/bulk/dest/${sqliteId}`, '2023-04-25')).body.data.modes.length, 2);
    assert.equal((await get(`/api/connections/${sqliteId}/source`, '2023-04-25')).status, 200);

    for (const body of [
      { params: { query: ['select id from users'] } },
      { query: ['select id from users'] },
      { params: JSON.stringify({ query: 'select id from users' }) },
    ]) {
      const fields = await call(server.url, 'POST', `/api/connections/${sqliteId}/source/fields`, {
        key: server.apiKey,
        version: '2023-04-25',
        body,
      });
      assert.equal(fields.status, 200, `${JSON.stringify(body)} → ${fields.text}`);
      assert.deepEqual(
        fields.body.data.map((field: { id: string }) => field.id),
        ['id'],
      );
    }
    const target = await call(server.url, 'POST', `/api/connections/${sqliteId}/target/fields`, {
      key: server.apiKey,
      version: '2023-04-25',
      body: { target: 'users' },
    });
    assert.equal(target.status, 200, target.text);
    assert.equal(target.body.data.id, 'users');
    // The newest paths are not served at 2023-04-25.
    assert.equal((await get(`/api/connections/${sqliteId}/bulksync/source`, '2023-04-25')).status, 404);
  });

  test('a connection type without the capability is refused in plain words (400)', async () => {
    for (const path of [
      'bulksync/target',
      'modelsync/source',
      'modelsync/targetobjects',
      'modelsync/target/fields?target=x',
      `modelsync/source/fields?${params({ query: ['select 1'] })}`,
    ]) {
      const response = await get(`/api/connections/${apiId}/${path}`);
      assert.equal(response.status, 400, path);
      assert.equal(response.body.metadata.reason, 'capability_missing', path);
      assert.match(response.body.message, /is of type api, which cannot be a/, path);
    }
    const refresh = await call(server.url, 'POST', `/api/connections/${apiId}/schemas/refresh`, { key: server.apiKey });
    assert.equal(refresh.status, 400, 'an unhealthy connection is not refreshed');
    assert.equal(refresh.body.metadata.reason, 'connection_unhealthy');
    const query = await call(server.url, 'POST', `/api/connections/${apiId}/query?query=select%201`, {
      key: server.apiKey,
      body: {},
    });
    assert.equal(query.status, 400);
    assert.equal(query.body.metadata.reason, 'capability_missing');
  });

  test("each version's OpenAPI document has the routes of that version", async () => {
    const newest = (await call(server.url, 'GET', '/api/openapi.json')).body;
    assert.ok(newest.paths['/api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}'].patch);
    assert.equal(newest.paths['/api/connections/{id}/modelsync/target'], undefined);
    assert.ok(newest.paths['/api/queries/{id}'].get);
    const v2024 = (await call(server.url, 'GET', '/api/openapi.json?version=2024-02-08')).body;
    assert.equal(
      v2024.paths['/api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}'].patch,
      undefined,
    );
    assert.ok(v2024.paths['/api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}'].delete);
    assert.ok(v2024.paths['/api/connections/{id}/modelsync/target'].get);
    const v2023 = (await call(server.url, 'GET', '/api/openapi.json?version=2023-04-25')).body;
    assert.ok(v2023.paths['/api/connections/{id}/source/fields'].post);
    assert.ok(v2023.paths['/api/bulk/source/{connection_id}/schema/{schema_id}'].get);
  });

  test("another organization's key gets 404 on every metadata route", async () => {
    const otherKey = await otherOrganizationKey(server);
    for (const path of [
      'bulksync/source',
      'bulksync/target',
      'modelsync/source',
      `modelsync/source/fields?${params({ query: ['select 1'] })}`,
      'modelsync/targetobjects',
      'modelsync/target/fields?target=users',
      'modelsync/targetobjects/properties/name',
    ]) {
      assert.equal(
        (await call(server.url, 'GET', `/api/connections/${sqliteId}/${path}`, { key: otherKey })).status,
        404,
        path,
      );
    }
    assert.equal(
      (
        await call(server.url, 'GET', `/api/connections/${sqliteId}/modelsync/target`, {
          key: otherKey,
          version: '2024-02-08',
        })
      ).status,
      404,
    );
  });
});

describe('connection metadata of a PostgreSQL connection', { skip: pgReason }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let connectionId: string;
  before(async () => {
    server = await startFerry('postgres');
    source = await createPostgresSource(2);
    connectionId = await createConnection(server, 'postgresql', postgresConfiguration(source));
  });
  after(async () => {
    await server.close();
    await source.drop();
  });

  test('source, destination, model fields and target fields', async () => {
    const get = (path: string) =>
      call(server.url, 'GET', `/api/connections/${connectionId}/${path}`, { key: server.apiKey });
    assert.deepEqual((await get('bulksync/source')).body.data.schemas, [
      { id: 'public.accounts', name: 'public.accounts' },
    ]);
    assert.equal((await get('bulksync/target')).status, 200);
    const fields = await get(`modelsync/source/fields?${params({ query: ['select id, balance from accounts'] })}`);
    assert.deepEqual(
      fields.body.data.map((field: { id: string; type: string }) => [field.id, field.type]),
      [
        ['id', 'number'],
        ['balance', 'number'],
      ],
    );
    const target = await get('modelsync/target/fields?target=public.accounts');
    assert.deepEqual(
      target.body.data.fields.map((field: { id: string }) => field.id),
      ['id', 'name', 'balance'],
    );
  });
});
