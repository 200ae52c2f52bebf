// Schemas of a connection over HTTP: refresh job and status, discovery on demand, sample records, user fields,
// field patches (2025-09-18 only) and primary-key overrides; SQLite and PostgreSQL sources, both metadata dialects.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import {
  createConnection,
  createPostgresSource,
  createSqliteSource,
  otherOrganizationKey,
  postgresConfiguration,
  type SqliteSource,
  waitForJob,
} from './connection-data-kit.ts';

const pgReason = await postgresUnavailable();

for (const dialect of await availableDialects()) {
  describe(`schemas (${dialect} metadata)`, () => {
    let server: TestFerry;
    let sqlite: SqliteSource;
    let connectionId: string;
    const get = (path: string, version?: string) => call(server.url, 'GET', path, { key: server.apiKey, version });
    const send = (method: string, path: string, body?: unknown, version?: string) =>
      call(server.url, method, path, { key: server.apiKey, body, version });

    before(async () => {
      server = await startFerry(dialect);
      sqlite = createSqliteSource(25);
      connectionId = await createConnection(server, 'sqlite', { path: sqlite.path });
    });
    after(async () => {
      await server.close();
      sqlite.remove();
    });

    test('a schema is discovered on demand when the cache is empty, then a refresh job fills the cache', async () => {
      const empty = await get(`/api/connections/${connectionId}/schemas/status`);
      assert.equal(empty.status, 200, empty.text);
      assert.deepEqual(empty.body.data, { cache_status: 'empty' });

      const schema = await get(`/api/connections/${connectionId}/schemas/users`);
      assert.equal(schema.status, 200, schema.text);
      assert.deepEqual(schema.body.data, {
        id: 'users',
        name: 'users',
        fields: [
          { id: 'id', name: 'id', type: 'number', remote_type: 'INTEGER', is_primary_key: true },
          { id: 'email', name: 'email', type: 'string', remote_type: 'TEXT', is_primary_key: false },
          { id: 'score', name: 'score', type: 'number', remote_type: 'REAL', is_primary_key: false },
        ],
      });

      const refresh = await send('POST', `/api/connections/${connectionId}/schemas/refresh`);
      assert.equal(refresh.status, 202, refresh.text);
      assert.equal(refresh.headers.get('location'), `/api/connections/${connectionId}/schemas/status`);
      const job = await waitForJob(server, 'schemarefresh', refresh.body.data.job_id);
      assert.deepEqual(job, {
        job_id: refresh.body.data.job_id,
        type: 'schemarefresh',
        status: 'done',
        result: { schemas: 2 },
      });

      const status = (await get(`/api/connections/${connectionId}/schemas/status`)).body.data;
      assert.equal(status.cache_status, 'fresh');
      assert.ok(status.last_refresh_started <= status.last_refresh_finished, JSON.stringify(status));
    });

    test('sample records: 10 by default, `limit` up to 100, 400 above', async () => {
      const records = await get(`/api/connections/${connectionId}/schemas/users/records`);
      assert.equal(records.status, 200, records.text);
      assert.equal(records.body.data.length, 10);
      assert.deepEqual(records.body.data[0], { id: 1, email: 'user1@example.com', score: 0.5 });
      assert.equal((await get(`/api/connections/${connectionId}/schemas/users/records?limit=20`)).body.data.length, 20);
      const tooMany = await get(`/api/connections/${connectionId}/schemas/users/records?limit=500`);
      assert.equal(tooMany.status, 400);
      assert.equal(tooMany.body.metadata.field, 'limit');
    });

    test('unknown schemas and fields are 404; an invalid field type is 422 naming the field', async () => {
      assert.equal((await get(`/api/connections/${connectionId}/schemas/nope`)).status, 404);
      assert.equal((await get(`/api/connections/${connectionId}/schemas/nope/records`)).status, 404);
      assert.equal(
        (await send('POST', `/api/connections/${connectionId}/schemas/nope/fields`, { fields: [] })).status,
        404,
      );
      assert.equal((await send('DELETE', `/api/connections/${connectionId}/schemas/users/fields/nope`)).status, 404);
      assert.equal(
        (await send('PATCH', `/api/connections/${connectionId}/schemas/users/fields/nope`, { label: 'x' })).status,
        404,
      );
      const badPk = await send('PUT', `/api/connections/${connectionId}/schemas/users/primary_keys`, {
        fields: [{ field_id: 'nope', is_primary_key: true }],
      });
      assert.equal(badPk.status, 404);
      assert.equal(badPk.body.metadata.field, 'fields[0].field_id');
      const badType = await send('POST', `/api/connections/${connectionId}/schemas/users/fields`, {
        fields: [
          { field_id: 'a', label: 'A', type: 'string' },
          { field_id: 'b', label: 'B', type: 'text' },
        ],
      });
      assert.equal(badType.status, 422, badType.text);
      assert.equal(badType.body.metadata.field, 'fields[1].type');
      const badPatch = await send('PATCH', `/api/connections/${connectionId}/schemas/users/fields/email`, {
        type: 'varchar',
      });
      assert.equal(badPatch.status, 422);
      assert.equal(badPatch.body.metadata.field, 'type');
      assert.equal(
        (await get(`/api/connections/${connectionId}/schemas/users`)).body.data.fields.length,
        3,
        'a refused upsert changes nothing',
      );
      assert.equal((await get('/api/connections/00000000-0000-0000-0000-000000000000/schemas/users')).status, 404);
    });

    test('user fields are added and replaced, patched partially, deleted, and survive a refresh', async () => {
      const base = `/api/connections/${connectionId}/schemas/users`;
      const upsert = await send('POST', `${base}/fields`, {
        fields: [{ field_id: 'full_name', label: 'Full name', type: 'string', path: '$.name', example: 'Ada' }],
      });
      assert.equal(upsert.status, 204, upsert.text);
      await send('POST', `${base}/fields`, {
        fields: [
          { field_id: 'full_name', label: 'Name', type: 'string' },
          { field_id: 'age', label: 'Age', type: 'number' },
        ],
      });
      let fields = (await get(base)).body.data.fields;
      assert.deepEqual(
        fields.map((field: { id: string; name: string }) => [field.id, field.name]),
        [
          ['id', 'id'],
          ['email', 'email'],
          ['score', 'score'],
          ['full_name', 'Name'],
          ['age', 'Age'],
        ],
      );

      // PATCH changes only what is sent: the label here, the type there.
      const patched = await send('PATCH', `${base}/fields/age`, { label: 'Age in years' });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual(patched.body.data, {
        id: 'age',
        name: 'Age in years',
        type: 'number',
        remote_type: '',
        is_primary_key: false,
      });
      assert.equal((await send('PATCH', `${base}/fields/email`, { type: 'object' })).body.data.type, 'object');
      fields = (await get(base)).body.data.fields;
      assert.deepEqual(
        fields.find((field: { id: string }) => field.id === 'email'),
        { id: 'email', name: 'email', type: 'object', remote_type: 'TEXT', is_primary_key: false },
      );

      const refresh = await send('POST', `/api/connections/${connectionId}/schemas/refresh`);
      await waitForJob(server, 'schemarefresh', refresh.body.data.job_id);
      fields = (await get(base)).body.data.fields;
      assert.equal(
        fields.find((field: { id: string }) => field.id === 'age').name,
        'Age in years',
        'overrides survive a refresh',
      );

      assert.equal((await send('DELETE', `${base}/fields/age`)).status, 204);
      assert.equal(
        (await send('DELETE', `${base}/fields/email`)).status,
        204,
        'a patched discovered field loses its patch',
      );
      const discoveredOnly = await send('DELETE', `${base}/fields/score`);
      assert.equal(discoveredOnly.status, 400, 'a discovered field without overrides cannot be deleted');
      fields = (await get(base)).body.data.fields;
      assert.deepEqual(
        fields.map((field: { id: string; type: string }) => [field.id, field.type]),
        [
          ['id', 'number'],
          ['email', 'string'],
          ['score', 'number'],
          ['full_name', 'string'],
        ],
      );
    });

    test('primary keys are overridden field by field and reset to the discovered ones', async () => {
      const base = `/api/connections/${connectionId}/schemas/users`;
      const keys = async () =>
        (await get(base)).body.data.fields
          .filter((field: { is_primary_key: boolean }) => field.is_primary_key)
          .map((field: { id: string }) => field.id);
      assert.deepEqual(await keys(), ['id']);
      assert.equal(
        (
          await send('PUT', `${base}/primary_keys`, {
            fields: [
              { field_id: 'email', is_primary_key: true },
              { field_id: 'id', is_primary_key: false },
            ],
          })
        ).status,
        204,
      );
      assert.deepEqual(await keys(), ['email']);
      await send('PUT', `${base}/primary_keys`, { fields: [{ field_id: 'score', is_primary_key: true }] });
      assert.deepEqual(await keys(), ['email', 'score'], 'fields not named keep their flag');
      assert.equal((await send('DELETE', `${base}/primary_keys`)).status, 204);
      assert.deepEqual(await keys(), ['id']);
    });

    test('2024-02-08: the same routes and shapes, without PATCH on a field', async () => {
      const base = `/api/connections/${connectionId}/schemas/users`;
      const schema = await get(base, '2024-02-08');
      assert.equal(schema.status, 200);
      assert.equal(schema.body.data.fields[0].id, 'id');
      assert.equal(
        (await get(`/api/connections/${connectionId}/schemas/status`, '2024-02-08')).body.data.cache_status,
        'fresh',
      );
      assert.equal((await send('PATCH', `${base}/fields/email`, { label: 'x' }, '2024-02-08')).status, 404);
      assert.equal(
        (
          await send(
            'POST',
            `${base}/fields`,
            { fields: [{ field_id: 'v24', label: 'V24', type: 'string' }] },
            '2024-02-08',
          )
        ).status,
        204,
      );
      assert.equal((await send('DELETE', `${base}/fields/v24`, undefined, '2024-02-08')).status, 204);
    });

    test('2023-04-25: schema, status and records at their pre-2024 paths', async () => {
      const schema = await get(`/api/bulk/source/${connectionId}/schema/users`, '2023-04-25');
      assert.equal(schema.status, 200, schema.text);
      assert.equal(schema.body.data.id, 'users');
      assert.equal(
        (await get(`/api/bulk/source/${connectionId}/status`, '2023-04-25')).body.data.cache_status,
        'fresh',
      );
      const records = await get(`/api/connections/${connectionId}/users/records`, '2023-04-25');
      assert.equal(records.status, 200, records.text);
      assert.equal(records.body.data.length, 10);
    });

    test("another organization's key gets 404 on every schema route", async () => {
      const otherKey = await otherOrganizationKey(server);
      const base = `/api/connections/${connectionId}/schemas`;
      const attempts: Array<[string, string, unknown?]> = [
        ['POST', `${base}/refresh`],
        ['GET', `${base}/status`],
        ['GET', `${base}/users`],
        ['GET', `${base}/users/records`],
        ['POST', `${base}/users/fields`, { fields: [] }],
        ['PATCH', `${base}/users/fields/email`, { label: 'x' }],
        ['DELETE', `${base}/users/fields/full_name`],
        ['PUT', `${base}/users/primary_keys`, { fields: [] }],
        ['DELETE', `${base}/users/primary_keys`],
      ];
      for (const [method, path, body] of attempts) {
        const response = await call(server.url, method, path, { key: otherKey, body });
        assert.equal(response.status, 404, `${method} ${path}`);
      }
      const refresh = await send('POST', `${base}/refresh`);
      assert.equal(
        (await call(server.url, 'GET', `/api/jobs/schemarefresh/${refresh.body.data.job_id}`, { key: otherKey }))
          .status,
        404,
      );
      await waitForJob(server, 'schemarefresh', refresh.body.data.job_id);
    });
  });
}

describe('schemas of a PostgreSQL source', { skip: pgReason }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let connectionId: string;
  before(async () => {
    server = await startFerry('sqlite');
    source = await createPostgresSource(3);
    connectionId = await createConnection(server, 'postgresql', postgresConfiguration(source));
  });
  after(async () => {
    await server.close();
    await source.drop();
  });

  test('refresh, schema, records and a failed refresh recorded in the status and the job', async () => {
    const refresh = await call(server.url, 'POST', `/api/connections/${connectionId}/schemas/refresh`, {
      key: server.apiKey,
    });
    assert.equal((await waitForJob(server, 'schemarefresh', refresh.body.data.job_id)).status, 'done');
    const schema = await call(server.url, 'GET', `/api/connections/${connectionId}/schemas/public.accounts`, {
      key: server.apiKey,
    });
    assert.deepEqual(
      schema.body.data.fields.map((field: { id: string; type: string; remote_type: string }) => [
        field.id,
        field.type,
        field.remote_type,
      ]),
      [
        ['id', 'number', 'integer'],
        ['name', 'string', 'text'],
        ['balance', 'number', 'numeric(12,2)'],
      ],
    );
    const records = await call(server.url, 'GET', `/api/connections/${connectionId}/schemas/public.accounts/records`, {
      key: server.apiKey,
    });
    assert.deepEqual(records.body.data[0], { id: 1, name: 'account 1', balance: '1.50' });

    // The database goes away: the next refresh fails, and says why.
    await source.drop();
    const failing = await call(server.url, 'POST', `/api/connections/${connectionId}/schemas/refresh`, {
      key: server.apiKey,
    });
    const job = await waitForJob(server, 'schemarefresh', failing.body.data.job_id);
    assert.equal(job.status, 'failed');
    assert.match(job.error, /database|exist/i);
    const status = (
      await call(server.url, 'GET', `/api/connections/${connectionId}/schemas/status`, { key: server.apiKey })
    ).body.data;
    assert.equal(status.cache_status, 'failed');
  });
});
