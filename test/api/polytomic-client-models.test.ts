// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through the models endpoints it has.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PolytomicClient, PolytomicError } from 'polytomic';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';

describe('official polytomic@1.18.1 client: models at 2024-02-08', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let client: PolytomicClient;
  let connectionId: string;

  before(async () => {
    source = await createPostgresDatabase('ferry_sdk_models');
    const sql = new pg.Client({ connectionString: source.url });
    await sql.connect();
    await sql.query(
      "create table contacts (id int primary key, email text, plan text); insert into contacts select i, 'c' || i || '@example.com', 'free' from generate_series(1, 30) i",
    );
    await sql.end();
    server = await startFerry('sqlite');
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    const configuration = {
      hostname: '127.0.0.1',
      port: 5432,
      database: source.name,
      username: 'postgres',
      ssl: false,
    };
    connectionId = (
      await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'Warehouse', type: 'postgresql', configuration },
      })
    ).body.data.id;
  });
  after(async () => {
    await server?.close();
    await source?.drop();
  });

  test('create, get, list, update, sample, preview (sync and async) and remove', async () => {
    const created = await client.models.create({
      body: {
        name: 'Contacts',
        connection_id: connectionId,
        configuration: { table: 'public.contacts' },
        identifier: 'email',
        labels: ['crm'],
      },
    });
    const model = created.data!;
    assert.equal(model.name, 'Contacts');
    assert.equal(model.identifier, 'email');
    assert.deepEqual(
      model.fields?.map((field) => [field.name, field.type]),
      [
        ['id', 'number'],
        ['email', 'string'],
        ['plan', 'string'],
      ],
    );

    assert.deepEqual((await client.models.get(model.id!)).data, model);
    assert.ok((await client.models.list()).data?.some((candidate) => candidate.id === model.id));

    const updated = await client.models.update(model.id!, {
      name: 'Paying contacts',
      connection_id: connectionId,
      configuration: { query: "select id, email from contacts where plan <> 'free'" },
      identifier: 'id',
    });
    assert.equal(updated.data?.version, 2);
    assert.deepEqual(
      updated.data?.fields?.map((field) => field.name),
      ['id', 'email'],
    );

    const sample = await client.models.sample(model.id!);
    assert.deepEqual(sample.data?.records, [], 'every contact is on the free plan');
    await client.models.update(model.id!, {
      name: 'Contacts',
      connection_id: connectionId,
      configuration: { query: 'select id, email from contacts order by id' },
    });
    const records = (await client.models.sample(model.id!)).data?.records ?? [];
    assert.equal(records.length, 10);
    // V2SampleRecord: the base model's fields sit under the model's id.
    assert.deepEqual(records[0], { [model.id!]: { id: 1, email: 'c1@example.com' } });

    const preview = await client.models.preview({
      body: { name: 'Peek', connection_id: connectionId, configuration: { query: 'select plan from contacts' } },
    });
    assert.equal(preview.data?.id, undefined, 'a preview stores nothing');
    assert.deepEqual(
      preview.data?.fields?.map((field) => field.name),
      ['plan'],
    );

    const asyncPreview = await client.models.preview({
      async: true,
      body: { name: 'Peek', connection_id: connectionId, configuration: { query: 'select plan from contacts' } },
    });
    const jobId = asyncPreview.job!.job_id!;
    let job = (await client.jobs.get(jobId, 'previewmodel')).data;
    for (let attempt = 0; attempt < 200 && (job?.status === 'created' || job?.status === 'running'); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = (await client.jobs.get(jobId, 'previewmodel')).data;
    }
    assert.equal(job?.status, 'done');
    assert.deepEqual(
      (job?.result as { fields: Array<{ name: string }> } | undefined)?.fields.map((field) => field.name),
      ['plan'],
    );

    await client.models.remove(model.id!);
    await assert.rejects(
      client.models.get(model.id!),
      (error: unknown) => error instanceof PolytomicError && error.statusCode === 404,
    );
  });

  test('bad SQL is refused with the database message; enrichment is answered as unsupported', async () => {
    await assert.rejects(
      client.models.create({
        body: { name: 'Broken', connection_id: connectionId, configuration: { query: 'select * from nope' } },
      }),
      (error: unknown) =>
        error instanceof PolytomicError &&
        error.statusCode === 422 &&
        /relation "nope" does not exist/.test((error.body as { message: string }).message),
    );
    await assert.rejects(
      client.models.getEnrichmentSource(connectionId),
      (error: unknown) => error instanceof PolytomicError && error.statusCode === 404,
    );
    assert.deepEqual((await client.models.post(connectionId)).data, []);
  });
});
