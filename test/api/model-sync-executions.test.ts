// Model-sync executions through the public API at 2025-09-18 (and the 2024-02-08 cancel route): start options
// (test, identities, resync), status, list paging, get, cancel of either kind, 409 while open, 404 for unknown and
// other tenants' ids, and entity lookup. A real PostgreSQL model and target; the in-process worker runs the jobs.
// Runs on each metadata dialect this machine offers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { otherOrganizationKey } from './connection-data-kit.ts';
import {
  contacts,
  createExecutionWorld,
  createSync,
  range,
  runToCompletion,
  setPeople,
  sql,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from './model-sync-execution-kit.ts';

const dialects = (await postgresUnavailable()) ? [] : await availableDialects();

for (const dialect of dialects) {
  describe(`model-sync executions (${dialect} metadata)`, () => {
    let server: TestFerry;
    let world: ExecutionWorld;

    before(async () => {
      server = await startFerry(dialect, { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
      world = await createExecutionWorld(server, range(1, 25));
    });
    after(async () => {
      await server?.close();
      await world?.remove();
    });

    test('a start runs the sync: counts, status, type and times on GET; a second run sends only changes', async () => {
      await setPeople(world.source, range(1, 25));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
      const started = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, {
        key: server.apiKey,
        body: {},
      });
      assert.equal(started.status, 200, started.text);
      assert.deepEqual(Object.keys(started.body.data).sort(), ['created_at', 'id', 'status']);
      assert.equal(started.body.data.status, 'queued');
      const first = await waitForExecution(server.url, server.apiKey, syncId, started.body.data.id);
      assert.equal(first.status, 'completed', JSON.stringify(first));
      assert.equal(first.type, 'manual');
      assert.deepEqual(first.counts, {
        insert: 25,
        update: 0,
        delete: 0,
        upserts: 25,
        error: 0,
        warnings: 0,
        total: 25,
      });
      assert.deepEqual(first.errors, []);
      assert.ok(first.created_at <= first.started_at && first.started_at <= first.completed_at);
      assert.equal((await contacts(world)).length, 25);

      await setPeople(world.source, [...range(1, 24), { ...range(25, 25)[0]!, name: 'Renamed' }, ...range(26, 27)]);
      const second = await runToCompletion(server, syncId);
      assert.deepEqual(
        { insert: second.counts.insert, update: second.counts.update, total: second.counts.total },
        { insert: 2, update: 1, total: 27 },
      );
      const rows = await contacts(world);
      assert.equal(rows.length, 27);
      assert.equal(rows.find((row) => row.email === 'p00025@x.com')?.full_name, 'Renamed');

      const status = await call(server.url, 'GET', `/api/syncs/${syncId}/status`, { key: server.apiKey });
      assert.equal(status.status, 200, status.text);
      assert.equal(status.body.data.last_execution.id, second.id);
      assert.equal(status.body.data.current_execution, undefined);
      assert.equal(status.body.data.next_execution_time, undefined, 'a manual sync has no next time');
    });

    test('test start: the first 10 model rows only, and the next run does not send them again', async () => {
      await setPeople(world.source, range(1, 25));
      const syncId = await createSync(server, syncRequest(world, 'replace', 'webhook'));
      world.receiver.keyed.clear();
      const tested = await runToCompletion(server, syncId, { test: true });
      assert.equal(tested.type, 'test');
      assert.deepEqual(
        { total: tested.counts.total, insert: tested.counts.insert, delete: tested.counts.delete },
        { total: 10, insert: 10, delete: 0 },
      );
      assert.equal(world.receiver.keyed.size, 10);
      const full = await runToCompletion(server, syncId);
      assert.deepEqual(
        { total: full.counts.total, insert: full.counts.insert, update: full.counts.update },
        { total: 25, insert: 15, update: 0 },
      );
      assert.equal(world.receiver.keyed.size, 25);
    });

    test('identities start: only the listed rows; resync start: every row again; a keyless mode refuses identities (422)', async () => {
      await setPeople(world.source, range(1, 25));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'webhook'));
      const some = await runToCompletion(server, syncId, {
        identities: ['p00003@x.com', 'p00007@x.com', 'nobody@x.com'],
      });
      assert.equal(some.type, 'identities');
      assert.deepEqual({ total: some.counts.total, insert: some.counts.insert }, { total: 2, insert: 2 });
      const rest = await runToCompletion(server, syncId);
      assert.equal(rest.counts.insert, 23);
      const again = await runToCompletion(server, syncId, { resync: true });
      assert.equal(again.type, 'resync');
      assert.deepEqual({ insert: again.counts.insert, update: again.counts.update }, { insert: 0, update: 25 });

      const appendSync = await createSync(server, syncRequest(world, 'append', 'webhook'));
      const refused = await call(server.url, 'POST', `/api/syncs/${appendSync}/executions`, {
        key: server.apiKey,
        body: { identities: ['p00001@x.com'] },
      });
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.metadata.field, 'identities');
      const empty = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, {
        key: server.apiKey,
        body: { identities: [] },
      });
      assert.equal(empty.status, 422, empty.text);
    });

    test('409 while an execution is open; cancel it by the sync route; status shows current then last', async () => {
      await setPeople(world.source, range(1, 3000));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'webhook'));
      world.receiver.delayMs = 300;
      try {
        const id = await startExecution(server, syncId);
        const conflict = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, {
          key: server.apiKey,
          body: {},
        });
        assert.equal(conflict.status, 409, conflict.text);
        assert.equal(conflict.body.metadata.execution_id, id);
        await waitForExecution(server.url, server.apiKey, syncId, id, {
          until: (execution) => execution.counts.insert > 0,
        });
        const status = await call(server.url, 'GET', `/api/syncs/${syncId}/status`, { key: server.apiKey });
        assert.equal(status.body.data.current_execution.id, id);
        assert.equal(status.body.data.current_execution.status, 'running');
        const canceled = await call(server.url, 'POST', `/api/syncs/${syncId}/cancel`, { key: server.apiKey });
        assert.equal(canceled.status, 200, canceled.text);
        assert.match(canceled.body.data.message, new RegExp(id));
        const finished = await waitForExecution(server.url, server.apiKey, syncId, id);
        assert.equal(finished.status, 'canceled');
        assert.ok(finished.counts.insert > 0 && finished.counts.insert < 3000, JSON.stringify(finished.counts));
        const after = await call(server.url, 'GET', `/api/syncs/${syncId}/status`, { key: server.apiKey });
        assert.equal(after.body.data.last_execution.id, id);
        const nothing = await call(server.url, 'POST', `/api/syncs/${syncId}/cancel`, { key: server.apiKey });
        assert.equal(nothing.body.data.message, 'No execution is running.');
      } finally {
        world.receiver.delayMs = 0;
      }
      // The next run sends exactly what the canceled one did not deliver.
      const resumed = await runToCompletion(server, syncId);
      assert.equal(world.receiver.keyed.size >= 3000, true);
      assert.equal(resumed.counts.total, 3000);
    });

    test('executions list: newest first, 50 a page with next_page_token, ascending, only_completed; bad token is a 400', async () => {
      await setPeople(world.source, range(1, 2));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) ids.push((await runToCompletion(server, syncId)).id);
      const { db } = server.ferry.context.database;
      // 52 more, as rows (the list's paging is what is under test, not 52 runs).
      const template = await db
        .selectFrom('model_sync_executions')
        .selectAll()
        .where('id', '=', ids[2]!)
        .executeTakeFirstOrThrow();
      for (let index = 0; index < 52; index += 1) {
        const created = new Date(Date.parse(template.created_at) + (index + 1) * 1000).toISOString();
        await db
          .insertInto('model_sync_executions')
          .values({
            ...template,
            id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
            status: index === 51 ? 'failed' : 'completed',
            created_at: created,
          })
          .execute();
      }
      const first = await call(server.url, 'GET', `/api/syncs/${syncId}/executions`, { key: server.apiKey });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.data.length, 50);
      assert.equal(first.body.data[0].status, 'failed', 'newest first');
      const second = await call(
        server.url,
        'GET',
        `/api/syncs/${syncId}/executions?page_token=${first.body.pagination.next_page_token}`,
        { key: server.apiKey },
      );
      assert.equal(second.body.data.length, 5);
      assert.deepEqual(second.body.pagination, {});
      assert.deepEqual(
        second.body.data.slice(-3).map((execution: { id: string }) => execution.id),
        [ids[2], ids[1], ids[0]],
      );
      const ascending = await call(
        server.url,
        'GET',
        `/api/syncs/${syncId}/executions?ascending=true&only_completed=true`,
        { key: server.apiKey },
      );
      assert.deepEqual(
        ascending.body.data.slice(0, 3).map((execution: { id: string }) => execution.id),
        ids,
      );
      const completedOnly = await call(
        server.url,
        'GET',
        `/api/syncs/${syncId}/executions?ascending=true&only_completed=true&page_token=${ascending.body.pagination.next_page_token}`,
        { key: server.apiKey },
      );
      assert.ok(completedOnly.body.data.every((execution: { status: string }) => execution.status === 'completed'));
      assert.equal(ascending.body.data.length + completedOnly.body.data.length, 54);
      const bad = await call(server.url, 'GET', `/api/syncs/${syncId}/executions?page_token=nonsense`, {
        key: server.apiKey,
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.metadata.field, 'page_token');
    });

    test('cancel one execution: 2025-09-18 POST …/cancel and 2024-02-08 PUT {status}; 400 once it is finished', async () => {
      await setPeople(world.source, range(1, 3000));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'webhook'));
      world.receiver.delayMs = 300;
      try {
        const id = await startExecution(server, syncId);
        await waitForExecution(server.url, server.apiKey, syncId, id, {
          until: (execution) => execution.status === 'running',
        });
        const canceled = await call(server.url, 'POST', `/api/syncs/${syncId}/executions/${id}/cancel`, {
          key: server.apiKey,
        });
        assert.equal(canceled.status, 200, canceled.text);
        assert.deepEqual(Object.keys(canceled.body.data), ['message']);
        assert.equal((await waitForExecution(server.url, server.apiKey, syncId, id)).status, 'canceled');
        const again = await call(server.url, 'POST', `/api/syncs/${syncId}/executions/${id}/cancel`, {
          key: server.apiKey,
        });
        assert.equal(again.status, 400, again.text);
        assert.match(again.body.message, /already canceled/);

        const legacyId = await startExecution(server, syncId);
        await waitForExecution(server.url, server.apiKey, syncId, legacyId, {
          until: (execution) => execution.status === 'running',
        });
        const wrong = await call(server.url, 'PUT', `/api/syncs/${syncId}/executions/${legacyId}`, {
          key: server.apiKey,
          version: '2024-02-08',
          body: { status: 'completed' },
        });
        assert.equal(wrong.status, 400, wrong.text);
        assert.equal(wrong.body.metadata.field, 'status');
        const legacy = await call(server.url, 'PUT', `/api/syncs/${syncId}/executions/${legacyId}`, {
          key: server.apiKey,
          version: '2024-02-08',
          body: { status: 'canceled' },
        });
        assert.equal(legacy.status, 200, legacy.text);
        assert.equal(legacy.body.data.id, legacyId);
        assert.ok(['canceling', 'canceled'].includes(legacy.body.data.status));
        assert.equal((await waitForExecution(server.url, server.apiKey, syncId, legacyId)).status, 'canceled');
        const newRoute = await call(server.url, 'PUT', `/api/syncs/${syncId}/executions/${legacyId}`, {
          key: server.apiKey,
          body: { status: 'canceled' },
        });
        assert.equal(newRoute.status, 404, '2025-09-18 has no PUT …/executions/{id}');
        const oldRoute = await call(server.url, 'POST', `/api/syncs/${syncId}/executions/${legacyId}/cancel`, {
          key: server.apiKey,
          version: '2024-02-08',
        });
        assert.equal(oldRoute.status, 404, '2024-02-08 has no POST …/cancel');
      } finally {
        world.receiver.delayMs = 0;
      }
    });

    test('unknown and other tenants’ syncs and executions are 404 on every route; entity lookup finds an execution', async () => {
      await setPeople(world.source, range(1, 2));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
      const executionId = (await runToCompletion(server, syncId)).id;
      const otherKey = await otherOrganizationKey(server);
      const routes: Array<[string, string, string?]> = [
        ['POST', `/api/syncs/${syncId}/executions`],
        ['POST', `/api/syncs/${syncId}/cancel`],
        ['GET', `/api/syncs/${syncId}/status`],
        ['GET', `/api/syncs/${syncId}/executions`],
        ['GET', `/api/syncs/${syncId}/executions/${executionId}`],
        ['POST', `/api/syncs/${syncId}/executions/${executionId}/cancel`],
        ['PUT', `/api/syncs/${syncId}/executions/${executionId}`, '2024-02-08'],
      ];
      for (const [method, path, version] of routes) {
        const body =
          method === 'PUT'
            ? { status: 'canceled' }
            : method === 'POST' && path.endsWith('/executions')
              ? {}
              : undefined;
        const foreign = await call(server.url, method, path, { key: otherKey, body, version });
        assert.equal(foreign.status, 404, `${method} ${path} for another organization: ${foreign.text}`);
      }
      const unknownSync = await call(server.url, 'POST', '/api/syncs/00000000-0000-4000-8000-000000000000/executions', {
        key: server.apiKey,
        body: {},
      });
      assert.equal(unknownSync.status, 404);
      const unknownExecution = await call(
        server.url,
        'GET',
        `/api/syncs/${syncId}/executions/00000000-0000-4000-8000-000000000000`,
        { key: server.apiKey },
      );
      assert.equal(unknownExecution.status, 404);

      const entity = await call(server.url, 'GET', `/api/entities/${executionId}`, { key: server.apiKey });
      assert.equal(entity.status, 200, entity.text);
      assert.equal(entity.body.data.type, 'sync_execution');
      assert.equal(entity.body.data.canonical_path, `/api/syncs/${syncId}/executions/${executionId}`);
      assert.deepEqual(entity.body.data.relationships.sync, { id: syncId, path: `/api/syncs/${syncId}` });
      const followed = await call(server.url, 'GET', entity.body.data.canonical_path, { key: server.apiKey });
      assert.equal(followed.body.data.id, executionId);
      assert.equal((await call(server.url, 'GET', `/api/entities/${executionId}`, { key: otherKey })).status, 404);
    });

    test('a retryable failure is retried by the queue and the run completes; a configuration error fails at once', async () => {
      await setPeople(world.source, range(1, 5));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'webhook'));
      world.receiver.failNext = 5; // every delivery attempt of the first batch in the first execution attempt
      const retried = await runToCompletion(server, syncId);
      assert.equal(world.receiver.failNext, 0);
      assert.equal(retried.counts.insert, 5);
      assert.equal(retried.errors.length, 1);
      assert.match(
        retried.errors[0],
        /^Attempt 1 failed and will be retried: The webhook kept failing after 5 attempts \(HTTP 503/,
      );

      await sql(world.target, 'create table doomed (email text primary key, full_name text, tier text)');
      const doomed = await createSync(
        server,
        syncRequest(world, 'updateOrCreate', 'postgres', {
          target: { connection_id: world.targetConnectionId, object: 'public.doomed' },
        }),
      );
      await sql(world.target, 'drop table doomed');
      const id = await startExecution(server, doomed);
      const failed = await waitForExecution(server.url, server.apiKey, doomed, id);
      assert.equal(failed.status, 'failed');
      assert.deepEqual(failed.errors, ['the target has no object public.doomed']);
      assert.ok(failed.completed_at);
    });

    test('an inactive sync can still be started by hand (active pauses the schedule only)', async () => {
      await setPeople(world.source, range(1, 3));
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres', { active: false }));
      const execution = await runToCompletion(server, syncId);
      assert.equal(execution.counts.total, 3);
    });
  });
}
