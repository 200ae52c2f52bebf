// The query runner over HTTP: a query starts a job and answers at once; results are read page by page with
// links, capped at 10 000 rows (and said to be), a failing query carries the database's message, runs expire, and
// only the creator's organization (and the creator) sees a run. Both versions; SQLite and PostgreSQL sources.
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
const numbers = (count: number) =>
  `with recursive n(x) as (select 1 union all select x + 1 from n where x < ${count}) select x from n`;

for (const dialect of await availableDialects()) {
  describe(`query runner (${dialect} metadata)`, () => {
    let server: TestFerry;
    let sqlite: SqliteSource;
    let connectionId: string;

    const run = (sql: string | undefined, options: { version?: string; key?: string; body?: unknown } = {}) =>
      call(
        server.url,
        'POST',
        `/api/connections/${connectionId}/query${sql === undefined ? '' : `?query=${encodeURIComponent(sql)}`}`,
        { key: options.key ?? server.apiKey, version: options.version, body: options.body ?? {} },
      );
    const read = (id: string, page?: number, options: { version?: string; key?: string } = {}) =>
      call(server.url, 'GET', `/api/queries/${id}${page ? `?page=${page}` : ''}`, {
        key: options.key ?? server.apiKey,
        version: options.version,
      });
    async function finished(id: string) {
      await waitForJob(server, 'query', id);
      return read(id);
    }

    before(async () => {
      server = await startFerry(dialect);
      sqlite = createSqliteSource(3);
      connectionId = await createConnection(server, 'sqlite', { path: sqlite.path });
    });
    after(async () => {
      await server.close();
      sqlite.remove();
    });

    test('a query answers at once with its id and expiry, then its results', async () => {
      const started = await run('select id, email from users order by id');
      assert.equal(started.status, 200, started.text);
      const { id, status, expires } = started.body.data;
      assert.ok(['created', 'running', 'done'].includes(status), status);
      const hour = Date.parse(expires) - Date.now();
      assert.ok(hour > 59 * 60 * 1000 && hour <= 60 * 60 * 1000, `expires in ${hour} ms`);
      const result = await finished(id);
      assert.equal(result.status, 200, result.text);
      assert.deepEqual(result.body.data, {
        id,
        status: 'done',
        expires,
        count: 3,
        fields: ['id', 'email'],
        results: [
          { id: 1, email: 'user1@example.com' },
          { id: 2, email: 'user2@example.com' },
          { id: 3, email: 'user3@example.com' },
        ],
      });
      assert.deepEqual(result.body.links, {});
      const job = await waitForJob(server, 'query', id);
      assert.equal(job.result.count, 3);
    });

    test('results are paginated with next and previous links (500 rows a page)', async () => {
      const { id } = (await run(numbers(1200))).body.data;
      const first = await finished(id);
      assert.equal(first.body.data.count, 1200);
      assert.equal(first.body.data.results.length, 500);
      assert.deepEqual(first.body.links, { next: `/api/queries/${id}?page=2` });
      const second = await call(server.url, 'GET', first.body.links.next, { key: server.apiKey });
      assert.deepEqual(second.body.data.results[0], { x: 501 });
      assert.deepEqual(second.body.links, { next: `/api/queries/${id}?page=3`, previous: `/api/queries/${id}?page=1` });
      const third = await read(id, 3);
      assert.equal(third.body.data.results.length, 200);
      assert.deepEqual(third.body.links, { previous: `/api/queries/${id}?page=2` });
      assert.equal((await read(id, 4)).status, 400);
      const badPage = await call(server.url, 'GET', `/api/queries/${id}?page=zero`, { key: server.apiKey });
      assert.equal(badPage.status, 400);
      assert.equal(badPage.body.metadata.field, 'page');
    });

    test('at most 10 000 rows are kept, and the result says it was cut', async () => {
      const { id } = (await run(numbers(10_050))).body.data;
      const result = await finished(id);
      assert.equal(result.body.data.status, 'done');
      assert.equal(result.body.data.count, 10_000);
      assert.equal(result.body.data.truncated, true);
      assert.deepEqual((await read(id, 20)).body.data.results.at(-1), { x: 10_000 });
    });

    test("a failing query fails its job with the database's message", async () => {
      const { id } = (await run('select * from nowhere')).body.data;
      const result = await finished(id);
      assert.equal(result.body.data.status, 'failed');
      assert.match(result.body.data.error, /nowhere/);
      const job = await waitForJob(server, 'query', id);
      assert.equal(job.status, 'failed');
      assert.match(job.error, /nowhere/);
      assert.equal(job.result, undefined);
    });

    test('the SQL is required; the 2025 body field is accepted too', async () => {
      const missing = await run(undefined);
      assert.equal(missing.status, 400);
      assert.equal(missing.body.metadata.field, 'query');
      const inBody = await run(undefined, { body: { query: 'select 7 as seven' } });
      assert.equal(inBody.status, 200, inBody.text);
      assert.deepEqual((await finished(inBody.body.data.id)).body.data.results, [{ seven: 7 }]);
      assert.equal(
        (
          await call(
            server.url,
            'POST',
            '/api/connections/00000000-0000-0000-0000-000000000000/query?query=select%201',
            { key: server.apiKey, body: {} },
          )
        ).status,
        404,
      );
    });

    test('2024-02-08 has the same routes and shapes', async () => {
      const started = await run('select 1 as one', { version: '2024-02-08' });
      assert.equal(started.status, 200, started.text);
      await waitForJob(server, 'query', started.body.data.id, { version: '2024-02-08' });
      const result = await read(started.body.data.id, undefined, { version: '2024-02-08' });
      assert.deepEqual(result.body.data.results, [{ one: 1 }]);
    });

    test('expired runs are gone (404), and are purged when the next query starts', async () => {
      const { id } = (await run('select 1 as one')).body.data;
      await waitForJob(server, 'query', id);
      const db = server.ferry.context.database.db;
      await db
        .updateTable('queries')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', id)
        .execute();
      const expired = await read(id);
      assert.equal(expired.status, 404);
      assert.match(expired.body.message, /expired/);
      await waitForJob(server, 'query', (await run('select 2 as two')).body.data.id);
      assert.equal(await db.selectFrom('queries').select('id').where('id', '=', id).executeTakeFirst(), undefined);
      assert.equal(await db.selectFrom('jobs').select('id').where('id', '=', id).executeTakeFirst(), undefined);
    });

    test('another organization (or another key of the same organization) cannot read a run: 404', async () => {
      const { id } = (await run('select 1 as one')).body.data;
      await waitForJob(server, 'query', id);
      const otherKey = await otherOrganizationKey(server);
      assert.equal((await read(id, undefined, { key: otherKey })).status, 404);
      assert.equal((await call(server.url, 'GET', `/api/jobs/query/${id}`, { key: otherKey })).status, 404);
      assert.equal((await run('select 1', { key: otherKey })).status, 404, "another organization's connection");
      assert.equal((await read(id, undefined, { key: server.partnerKey })).status, 404, 'only the creator sees a run');
      assert.equal(
        (await call(server.url, 'GET', `/api/jobs/query/${id}`, { key: server.partnerKey })).status,
        404,
        'its job too',
      );
    });
  });
}

describe('query runner on a PostgreSQL source', { skip: pgReason }, () => {
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

  test('rows with PostgreSQL types, and the server message of a failing query', async () => {
    const started = await call(
      server.url,
      'POST',
      `/api/connections/${connectionId}/query?query=${encodeURIComponent('select id, name, balance from accounts order by id')}`,
      { key: server.apiKey, body: {} },
    );
    await waitForJob(server, 'query', started.body.data.id);
    const result = await call(server.url, 'GET', `/api/queries/${started.body.data.id}`, { key: server.apiKey });
    assert.deepEqual(result.body.data.results[2], { id: 3, name: 'account 3', balance: '4.50' });
    const failing = await call(
      server.url,
      'POST',
      `/api/connections/${connectionId}/query?query=${encodeURIComponent('select 1/0')}`,
      { key: server.apiKey, body: {} },
    );
    const job = await waitForJob(server, 'query', failing.body.data.id);
    assert.equal(job.status, 'failed');
    assert.match(job.error, /division by zero/);
  });
});
