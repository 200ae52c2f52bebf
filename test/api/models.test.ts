// Models over HTTP at 2025-09-18: query and table models on a real PostgreSQL source and an SQLite file, field
// detection, the database's own message for bad SQL, async jobs, preview, sample, delete refused while a sync
// uses the model, enrichment answers, entity lookup and tenancy. Each metadata dialect runs the whole suite.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';

const skip = await postgresUnavailable();

async function waitForJob(server: TestFerry, type: string, id: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const job = await call(server.url, 'GET', `/api/jobs/${type}/${id}`, { key: server.apiKey });
    assert.equal(job.status, 200, job.text);
    if (job.body.data.status === 'done' || job.body.data.status === 'failed') return job.body.data;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${type}/${id} did not finish`);
}

for (const dialect of await availableDialects()) {
  describe(`models (${dialect} metadata)`, { skip }, () => {
    let server: TestFerry;
    let source: ScratchDatabase;
    let sqliteDir: string;
    let postgresId: string;
    let sqliteId: string;

    before(async () => {
      source = await createPostgresDatabase('ferry_models_api');
      const client = new pg.Client({ connectionString: source.url });
      await client.connect();
      await client.query(`create table users (id int primary key, email text not null, score numeric(10,2), active boolean, created_at timestamptz);
        insert into users select n, 'u' || n || '@example.com', n * 1.5, n % 2 = 0, '2024-01-01T00:00:00Z'::timestamptz + n * interval '1 day' from generate_series(1, 25) n;
        create table "Mixed Case" (id int primary key, "Label" text); insert into "Mixed Case" values (1, 'one');`);
      await client.end();
      sqliteDir = mkdtempSync(join(tmpdir(), 'ferry-models-'));
      const file = join(sqliteDir, 'source.db');
      const sqlite = new Database(file);
      sqlite.exec(
        "create table items (id integer primary key, title text, price real); insert into items values (1, 'a', 1.5), (2, 'b', 2.5)",
      );
      sqlite.close();
      server = await startFerry(dialect);
      const created = async (body: unknown) => {
        const response = await call(server.url, 'POST', '/api/connections', { key: server.apiKey, body });
        assert.equal(response.status, 200, response.text);
        return response.body.data.id as string;
      };
      postgresId = await created({
        name: 'Warehouse',
        type: 'postgresql',
        configuration: { hostname: '127.0.0.1', port: 5432, database: source.name, username: 'postgres', ssl: false },
      });
      sqliteId = await created({ name: 'Local file', type: 'sqlite', configuration: { path: file } });
    });
    after(async () => {
      await server?.close();
      await source?.drop();
      if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
    });

    test('a query model: fields detected with types, fields narrowed, identifier, settings stored; update bumps the version', async () => {
      const body = {
        name: 'Active users',
        connection_id: postgresId,
        configuration: { query: 'select id, email, score, active, created_at from users where active' },
        fields: ['id', 'email', 'score', 'created_at'],
        identifier: 'email',
        additional_fields: [{ name: 'segment', label: 'Segment', type: 'string', example: 'gold' }],
        labels: ['crm'],
        tracking_columns: ['created_at'],
        policies: [],
        relations: [{ from: 'id', to: { model_id: 'other', field: 'user_id' } }],
      };
      const created = await call(server.url, 'POST', '/api/models', { key: server.apiKey, body });
      assert.equal(created.status, 200, created.text);
      const model = created.body.data;
      assert.equal(model.type, 'postgresql');
      assert.equal(model.version, 1);
      assert.equal(model.identifier, 'email');
      assert.deepEqual(model.configuration, body.configuration);
      assert.deepEqual(
        model.fields.map((field: { id: string }) => field.id),
        ['id', 'email', 'score', 'created_at', 'segment'],
      );
      const byId = Object.fromEntries(model.fields.map((field: { id: string }) => [field.id, field]));
      assert.equal(byId.id.type, 'number');
      assert.equal(byId.email.type, 'string');
      assert.equal(byId.email.unique, true, 'the identifier is unique');
      assert.equal(byId.created_at.type, 'datetime');
      assert.match(byId.created_at.remote_type, /timestamp/);
      assert.equal(byId.segment.user_added, true);
      assert.equal(byId.segment.example, 'gold');
      assert.ok(byId.id.created_at && byId.id.updated_at);
      assert.deepEqual(model.labels, [{ name: 'crm' }]);
      assert.deepEqual(model.tracking_columns, ['created_at']);
      assert.deepEqual(model.relations, body.relations);
      assert.equal(model.created_by.type, 'user');

      const fetched = await call(server.url, 'GET', `/api/models/${model.id}`, { key: server.apiKey });
      assert.deepEqual(fetched.body.data, model);
      const listed = await call(server.url, 'GET', '/api/models', { key: server.apiKey });
      assert.ok(listed.body.data.some((candidate: { id: string }) => candidate.id === model.id));

      const updated = await call(server.url, 'PUT', `/api/models/${model.id}`, {
        key: server.apiKey,
        body: {
          name: 'All users',
          connection_id: postgresId,
          configuration: { query: 'select id, email from users' },
          identifier: 'id',
        },
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.data.version, 2);
      assert.equal(updated.body.data.name, 'All users');
      assert.deepEqual(
        updated.body.data.fields.map((field: { id: string }) => field.id),
        ['id', 'email'],
      );
      assert.equal(
        updated.body.data.fields[0].created_at,
        byId.id.created_at,
        'a field kept across updates keeps its created_at',
      );
      assert.deepEqual(updated.body.data.labels, [], 'an update is a full replacement');

      const removed = await call(server.url, 'DELETE', `/api/models/${model.id}`, { key: server.apiKey });
      assert.equal(removed.status, 204, removed.text);
      assert.equal((await call(server.url, 'GET', `/api/models/${model.id}`, { key: server.apiKey })).status, 404);
    });

    test('table models: PostgreSQL (quoted mixed-case table) and an SQLite file; samples hold the records', async () => {
      const pgModel = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { name: 'Mixed', connection_id: postgresId, configuration: { table: 'public.Mixed Case' } },
      });
      assert.equal(pgModel.status, 200, pgModel.text);
      assert.deepEqual(
        pgModel.body.data.fields.map((field: { id: string; unique: boolean }) => [field.id, field.unique]),
        [
          ['id', true],
          ['Label', false],
        ],
      );
      const pgSample = await call(server.url, 'GET', `/api/models/${pgModel.body.data.id}/sample`, {
        key: server.apiKey,
      });
      assert.equal(pgSample.status, 200, pgSample.text);
      // The spec's SampleRecord: the model's id → field id → value.
      assert.deepEqual(pgSample.body.data.records, [{ [pgModel.body.data.id]: { id: 1, Label: 'one' } }]);

      const sqliteModel = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { name: 'Items', connection_id: sqliteId, configuration: { table: 'items' }, identifier: 'id' },
      });
      assert.equal(sqliteModel.status, 200, sqliteModel.text);
      assert.equal(sqliteModel.body.data.type, 'sqlite');
      assert.deepEqual(
        sqliteModel.body.data.fields.map((field: { id: string; type: string }) => [field.id, field.type]),
        [
          ['id', 'number'],
          ['title', 'string'],
          ['price', 'number'],
        ],
      );
      const sample = await call(server.url, 'GET', `/api/models/${sqliteModel.body.data.id}/sample`, {
        key: server.apiKey,
      });
      assert.equal(sample.status, 200, sample.text);
      assert.deepEqual(sample.body.data.records, [
        { [sqliteModel.body.data.id]: { id: 1, title: 'a', price: 1.5 } },
        { [sqliteModel.body.data.id]: { id: 2, title: 'b', price: 2.5 } },
      ]);
      assert.deepEqual(sample.body.data.warnings, []);

      const capped = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: {
          name: 'Users',
          connection_id: postgresId,
          configuration: { query: 'select id from users order by id' },
        },
      });
      const cappedSample = await call(server.url, 'GET', `/api/models/${capped.body.data.id}/sample`, {
        key: server.apiKey,
      });
      assert.equal(cappedSample.body.data.records.length, 10, 'samples are capped at 10 records');
    });

    test('client mistakes: the database message as a 422, unknown connection, missing name, bad identifier, bad configuration', async () => {
      const badSql = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { name: 'Broken', connection_id: postgresId, configuration: { query: 'select * from nope' } },
      });
      assert.equal(badSql.status, 422, badSql.text);
      assert.match(badSql.body.message, /relation "nope" does not exist/);
      assert.equal(badSql.body.metadata.field, 'configuration.query');

      const badSqlite = await call(server.url, 'POST', '/api/model-preview', {
        key: server.apiKey,
        body: { name: 'Broken', connection_id: sqliteId, configuration: { query: 'select missing_column from items' } },
      });
      assert.equal(badSqlite.status, 422, badSqlite.text);
      assert.match(badSqlite.body.message, /no such column: missing_column/);

      const missingTable = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { name: 'Gone', connection_id: postgresId, configuration: { table: 'public.gone' } },
      });
      assert.equal(missingTable.status, 422, missingTable.text);
      assert.equal(missingTable.body.metadata.field, 'configuration.table');

      const unknownConnection = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: {
          name: 'X',
          connection_id: '00000000-0000-0000-0000-000000000000',
          configuration: { query: 'select 1' },
        },
      });
      assert.equal(unknownConnection.status, 404, unknownConnection.text);
      assert.equal(unknownConnection.body.metadata.field, 'connection_id');

      const api = (
        await call(server.url, 'POST', '/api/connections', {
          key: server.apiKey,
          body: { name: 'An API', type: 'api', configuration: { url: 'https://api.example.invalid' } },
        })
      ).body.data.id;
      const noSource = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { name: 'X', connection_id: api, configuration: { query: 'select 1' } },
      });
      assert.equal(noSource.status, 422, noSource.text);
      assert.equal(noSource.body.metadata.field, 'connection_id');

      const noName = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { connection_id: postgresId, configuration: { query: 'select 1' } },
      });
      assert.equal(noName.status, 400, noName.text);
      assert.equal(noName.body.metadata.field, 'name');

      const badIdentifier = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: {
          name: 'X',
          connection_id: postgresId,
          configuration: { query: 'select id from users' },
          identifier: 'email',
        },
      });
      assert.equal(badIdentifier.status, 422, badIdentifier.text);
      assert.equal(badIdentifier.body.metadata.field, 'identifier');

      const badField = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: {
          name: 'X',
          connection_id: postgresId,
          configuration: { query: 'select id from users' },
          fields: ['id', 'nope'],
        },
      });
      assert.equal(badField.status, 422, badField.text);
      assert.equal(badField.body.metadata.field, 'fields[1]');

      const both = await call(server.url, 'POST', '/api/models', {
        key: server.apiKey,
        body: { name: 'X', connection_id: postgresId, configuration: { query: 'select 1', table: 'public.users' } },
      });
      assert.equal(both.status, 400, both.text);
      assert.equal(both.body.metadata.field, 'configuration');

      const listed = await call(server.url, 'GET', '/api/models', { key: server.apiKey });
      assert.ok(
        !listed.body.data.some((model: { name: string }) => ['Broken', 'Gone', 'X'].includes(model.name)),
        'failed creates store nothing',
      );
    });

    test('preview stores nothing; async create, get, update, preview and sample answer with a job at once', async () => {
      const before = (await call(server.url, 'GET', '/api/models', { key: server.apiKey })).body.data.length;
      const preview = await call(server.url, 'POST', '/api/model-preview', {
        key: server.apiKey,
        body: { name: 'Peek', connection_id: sqliteId, configuration: { query: 'select id, title from items' } },
      });
      assert.equal(preview.status, 200, preview.text);
      assert.equal(preview.body.data.id, undefined);
      assert.deepEqual(
        preview.body.data.fields.map((field: { id: string }) => field.id),
        ['id', 'title'],
      );

      const created = await call(server.url, 'POST', '/api/models?async=true', {
        key: server.apiKey,
        body: { name: 'Async', connection_id: postgresId, configuration: { query: 'select id, email from users' } },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.data, undefined);
      assert.equal(created.body.job.type, 'createmodel');
      const createJob = await waitForJob(server, 'createmodel', created.body.job.job_id);
      assert.equal(createJob.status, 'done', JSON.stringify(createJob));
      const modelId = createJob.result.id;
      assert.deepEqual(
        createJob.result.fields.map((field: { id: string }) => field.id),
        ['id', 'email'],
      );
      assert.equal(
        (await call(server.url, 'GET', '/api/models', { key: server.apiKey })).body.data.length,
        before + 1,
        'only the async create stored a model',
      );

      const failed = await call(server.url, 'POST', '/api/models?async=true', {
        key: server.apiKey,
        body: { name: 'Async broken', connection_id: postgresId, configuration: { query: 'select * from nope' } },
      });
      assert.equal(failed.status, 200, failed.text);
      const failedJob = await waitForJob(server, 'createmodel', failed.body.job.job_id);
      assert.equal(failedJob.status, 'failed');
      assert.match(failedJob.error, /relation "nope" does not exist/);

      const updated = await call(server.url, 'PUT', `/api/models/${modelId}?async=true`, {
        key: server.apiKey,
        body: { name: 'Async 2', connection_id: postgresId, configuration: { query: 'select id from users' } },
      });
      assert.equal(updated.body.job.type, 'updatemodel');
      const updateJob = await waitForJob(server, 'updatemodel', updated.body.job.job_id);
      assert.equal(updateJob.result.version, 2);

      const got = await call(server.url, 'GET', `/api/models/${modelId}?async=true`, { key: server.apiKey });
      const getJob = await waitForJob(server, got.body.job.type, got.body.job.job_id);
      assert.equal(getJob.result.id, modelId);
      assert.equal(getJob.result.name, 'Async 2');

      const previewed = await call(server.url, 'POST', '/api/model-preview?async=true', {
        key: server.apiKey,
        body: { name: 'Peek', connection_id: sqliteId, configuration: { table: 'items' } },
      });
      assert.equal(previewed.body.job.type, 'previewmodel');
      assert.equal((await waitForJob(server, 'previewmodel', previewed.body.job.job_id)).result.fields.length, 3);

      const sampled = await call(server.url, 'GET', `/api/models/${modelId}/sample?async=true`, { key: server.apiKey });
      assert.equal(sampled.body.job.type, 'samplemodel');
      const sampleJob = await waitForJob(server, 'samplemodel', sampled.body.job.job_id);
      assert.equal(sampleJob.result.records.length, 10);
      assert.deepEqual(Object.keys(sampleJob.result.records[0]), [modelId]);
      assert.deepEqual(Object.keys(sampleJob.result.records[0][modelId]), ['id']);

      const unknownAsync = await call(server.url, 'POST', '/api/models?async=true', {
        key: server.apiKey,
        body: {
          name: 'X',
          connection_id: '00000000-0000-0000-0000-000000000000',
          configuration: { query: 'select 1' },
        },
      });
      assert.equal(unknownAsync.status, 404, 'async requests still check the connection before answering');
    });

    test('2023-04-25 updates a model with PATCH; 2024-02-08 reads the same shape', async () => {
      const model = (
        await call(server.url, 'POST', '/api/models', {
          key: server.apiKey,
          body: { name: 'Old client', connection_id: sqliteId, configuration: { table: 'items' } },
        })
      ).body.data;
      const patched = await call(server.url, 'PATCH', `/api/models/${model.id}`, {
        key: server.apiKey,
        version: '2023-04-25',
        body: { name: 'Patched', connection_id: sqliteId, configuration: { query: 'select id from items' } },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.data.version, 2);
      assert.equal(
        (
          await call(server.url, 'PUT', `/api/models/${model.id}`, {
            key: server.apiKey,
            version: '2023-04-25',
            body: {},
          })
        ).status,
        404,
        '2023-04-25 has no PUT',
      );
      const old = await call(server.url, 'GET', `/api/models/${model.id}`, {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.deepEqual(old.body.data, patched.body.data);
    });

    test('a model used by a model sync cannot be deleted (409)', async () => {
      const model = (
        await call(server.url, 'POST', '/api/models', {
          key: server.apiKey,
          body: { name: 'In use', connection_id: sqliteId, configuration: { table: 'items' } },
        })
      ).body.data;
      const database = server.ferry.context.database.db;
      const now = new Date().toISOString();
      await database
        .insertInto('model_syncs')
        .values({
          id: 'sync-using-model',
          organization_id: server.organizationId,
          name: 'Uses it',
          mode: 'create',
          active: 0,
          model_id: model.id,
          target_connection_id: sqliteId,
          target_object: 'items',
          definition: '{}',
          schedule: '{}',
          created_at: now,
          created_by: null,
          updated_at: now,
          updated_by: null,
        })
        .execute();
      const refused = await call(server.url, 'DELETE', `/api/models/${model.id}`, { key: server.apiKey });
      assert.equal(refused.status, 409, refused.text);
      assert.match(refused.body.message, /sync-using-model/);
      await database.deleteFrom('model_syncs').where('id', '=', 'sync-using-model').execute();
      assert.equal((await call(server.url, 'DELETE', `/api/models/${model.id}`, { key: server.apiKey })).status, 204);
    });

    test('enrichment: no connector enriches, answered validly; unknown connections are 404', async () => {
      const source = await call(server.url, 'GET', `/api/connections/${postgresId}/modelsync/enrichment-source`, {
        key: server.apiKey,
      });
      assert.equal(source.status, 404, source.text);
      assert.equal(source.body.metadata.reason, 'enrichment_unsupported');
      const badParams = await call(
        server.url,
        'GET',
        `/api/connections/${postgresId}/modelsync/enrichment-source?params=nope`,
        { key: server.apiKey },
      );
      assert.equal(badParams.status, 400, badParams.text);
      const inputs = await call(server.url, 'POST', `/api/enrichment/${postgresId}/inputfields`, {
        key: server.apiKey,
        body: { configuration: {} },
      });
      assert.equal(inputs.status, 200, inputs.text);
      assert.deepEqual(inputs.body, { data: [] });
      const unknown = await call(
        server.url,
        'POST',
        '/api/enrichment/00000000-0000-0000-0000-000000000000/inputfields',
        { key: server.apiKey, body: {} },
      );
      assert.equal(unknown.status, 404, unknown.text);
    });

    test("entity lookup finds a model; another organization's key gets 404 everywhere", async () => {
      const model = (
        await call(server.url, 'POST', '/api/models', {
          key: server.apiKey,
          body: { name: 'Private', connection_id: sqliteId, configuration: { table: 'items' } },
        })
      ).body.data;
      const entity = await call(server.url, 'GET', `/api/entities/${model.id}`, { key: server.apiKey });
      assert.equal(entity.status, 200, entity.text);
      assert.equal(entity.body.data.type, 'model');
      assert.equal(entity.body.data.canonical_path, `/api/models/${model.id}`);

      const child = (
        await call(server.url, 'POST', '/api/organizations', {
          key: server.partnerKey,
          body: { name: `Models outsider ${dialect}` },
        })
      ).body.data;
      const user = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users`, {
          key: server.partnerKey,
          body: { email: `o-${dialect}@models.example` },
        })
      ).body.data;
      const key = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users/${user.id}/keys`, {
          key: server.partnerKey,
        })
      ).body.data.value;
      for (const [method, path, body] of [
        ['GET', `/api/models/${model.id}`],
        ['GET', `/api/models/${model.id}/sample`],
        [
          'PUT',
          `/api/models/${model.id}`,
          { name: 'Stolen', connection_id: sqliteId, configuration: { table: 'items' } },
        ],
        ['DELETE', `/api/models/${model.id}`],
        ['GET', `/api/entities/${model.id}`],
        ['POST', '/api/models', { name: 'Borrowed', connection_id: sqliteId, configuration: { table: 'items' } }],
      ] as const) {
        const response = await call(server.url, method, path, { key, body });
        assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
      }
      assert.deepEqual((await call(server.url, 'GET', '/api/models', { key })).body.data, []);
      assert.equal(
        (await call(server.url, 'GET', `/api/models/${model.id}`, { key: server.apiKey })).body.data.name,
        'Private',
      );
    });
  });
}
