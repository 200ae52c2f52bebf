// Model syncs over HTTP at 2025-09-18: CRUD, every validation refusal, the paged list and its 2024-02-08 form,
// activate, schedule options, tenancy, entity lookup, and delete while an execution is in progress.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createConnection } from './connection-data-kit.ts';
import { createModelSyncWorld, insertModel, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';

for (const dialect of await availableDialects()) {
  describe(`model syncs (${dialect})`, () => {
    let server: TestFerry;
    let world: ModelSyncWorld;

    before(async () => {
      server = await startFerry(dialect);
      world = await createModelSyncWorld(server);
    });
    after(async () => {
      await server.close();
      world.remove();
    });

    const create = (body: unknown, key = server.apiKey) => call(server.url, 'POST', '/api/syncs', { key, body });

    test('create, get, update, activate and delete', async () => {
      // Attached policies must be the organization's (docs/permissions.md).
      const policy = await call(server.url, 'POST', '/api/permissions/policies', {
        key: server.apiKey,
        body: { name: `Syncs ${Math.random().toString(36).slice(2)}` },
      });
      const p1 = policy.body.data.id;
      const created = await create(syncBody(world, { encryption_passphrase: 'correct horse', policies: [p1] }));
      assert.equal(created.status, 200, created.text);
      const sync = created.body.data;
      assert.equal(sync.mode, 'updateOrCreate');
      assert.equal(sync.active, true);
      assert.deepEqual(sync.model_ids, [world.modelId]);
      assert.deepEqual(sync.target, { connection_id: world.targetConnectionId, object: 'contacts' });
      assert.deepEqual(sync.identity, {
        source: { field: 'id', model_id: world.modelId },
        target: 'id',
        function: 'Equality',
      });
      assert.deepEqual(sync.schedule, { frequency: 'manual' });
      assert.deepEqual(sync.policies, [p1]);
      assert.equal(sync.created_by.type, 'user');
      assert.equal(sync.encryption_passphrase, undefined, 'the passphrase is write-only');
      assert.ok(!created.text.includes('correct horse'));

      const stored = await server.ferry.context.repositories.modelSyncs.get(server.organizationId, sync.id);
      const definition = JSON.parse(stored!.definition);
      assert.equal(
        server.ferry.context.secretBox.open(definition.encryption_passphrase_sealed),
        'correct horse',
        'sealed at rest',
      );
      assert.ok(!stored!.definition.includes('correct horse'));

      const fetched = await call(server.url, 'GET', `/api/syncs/${sync.id}`, { key: server.apiKey });
      assert.equal(fetched.status, 200);
      assert.deepEqual(fetched.body.data, sync);

      // A GET → PUT round trip keeps the passphrase; an empty string clears it.
      const {
        id: _id,
        model_ids: _models,
        organization_id: _organization,
        created_at: _c,
        created_by: _cb,
        updated_at: _u,
        updated_by: _ub,
        ...editable
      } = sync;
      const updated = await call(server.url, 'PUT', `/api/syncs/${sync.id}`, {
        key: server.apiKey,
        body: { ...editable, name: 'Renamed', schedule: { frequency: 'daily', hour: '05', minute: '30' } },
      });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.data.name, 'Renamed');
      assert.deepEqual(updated.body.data.schedule, { frequency: 'daily', hour: '05', minute: '30' });
      assert.equal(updated.body.data.created_at, sync.created_at);
      assert.ok(updated.body.data.updated_at >= sync.updated_at);
      const kept = JSON.parse(
        (await server.ferry.context.repositories.modelSyncs.get(server.organizationId, sync.id))!.definition,
      );
      assert.ok(kept.encryption_passphrase_sealed, 'the passphrase survives a PUT without it');
      await call(server.url, 'PUT', `/api/syncs/${sync.id}`, {
        key: server.apiKey,
        body: { ...editable, encryption_passphrase: '' },
      });
      const cleared = JSON.parse(
        (await server.ferry.context.repositories.modelSyncs.get(server.organizationId, sync.id))!.definition,
      );
      assert.equal(cleared.encryption_passphrase_sealed, undefined);

      const deactivated = await call(server.url, 'POST', `/api/syncs/${sync.id}/activate`, {
        key: server.apiKey,
        body: { active: false },
      });
      assert.deepEqual(deactivated.body.data, { id: sync.id, active: false });
      assert.equal(
        (await call(server.url, 'GET', `/api/syncs/${sync.id}`, { key: server.apiKey })).body.data.active,
        false,
      );
      const { active: _active, ...withoutActive } = editable;
      const stillInactive = await call(server.url, 'PUT', `/api/syncs/${sync.id}`, {
        key: server.apiKey,
        body: withoutActive,
      });
      assert.equal(stillInactive.body.data.active, false, 'PUT without active keeps it');

      const removed = await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey });
      assert.equal(removed.status, 204);
      assert.equal((await call(server.url, 'GET', `/api/syncs/${sync.id}`, { key: server.apiKey })).status, 404);
      assert.equal((await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey })).status, 404);
    });

    test('every refusal names the field at fault', async () => {
      const source = (field: string, modelId = world.modelId) => ({ field, model_id: modelId });
      const emailOnly = { fields: [{ source: source('email'), target: 'email' }] };
      const cases: Array<[string, Record<string, unknown>, number, string]> = [
        ['name missing', { name: undefined }, 400, 'name'],
        ['unknown mode', { mode: 'mirror' }, 400, 'mode'],
        [
          'unknown model',
          {
            fields: [{ source: source('email', '00000000-0000-4000-8000-000000000000'), target: 'email' }],
            identity: undefined,
            mode: 'create',
          },
          422,
          'fields[0].source.model_id',
        ],
        [
          'two models',
          {
            fields: [
              { source: source('email'), target: 'email' },
              { source: source('email', world.otherModelId), target: 'score' },
            ],
          },
          422,
          'fields[1].source.model_id',
        ],
        [
          'identity from another model',
          { identity: { source: source('id', world.otherModelId), target: 'id', function: 'Equality' } },
          422,
          'identity.source.model_id',
        ],
        [
          'no model field read',
          { fields: [{ override_value: 'x', target: 'email' }], identity: undefined, mode: 'create' },
          422,
          'fields',
        ],
        [
          'unknown model field',
          { fields: [{ source: source('phone'), target: 'email' }] },
          422,
          'fields[0].source.field',
        ],
        [
          'unknown identity source field',
          { identity: { source: source('phone'), target: 'id', function: 'Equality' } },
          422,
          'identity.source.field',
        ],
        [
          'unknown target connection',
          { target: { connection_id: '00000000-0000-4000-8000-000000000000', object: 'contacts' } },
          422,
          'target.connection_id',
        ],
        [
          'connection that cannot be a target',
          { target: { connection_id: world.apiConnectionId, object: 'x' } },
          422,
          'target.connection_id',
        ],
        ['target object missing', { target: { connection_id: world.targetConnectionId } }, 422, 'target.object'],
        [
          'unknown target object',
          { target: { connection_id: world.targetConnectionId, object: 'leads' } },
          422,
          'target.object',
        ],
        [
          'mode the object does not support',
          {
            target: { connection_id: world.filesConnectionId, object: 'people' },
            mode: 'updateOrCreate',
            ...emailOnly,
          },
          422,
          'mode',
        ],
        ['identity required', { identity: undefined, mode: 'update' }, 422, 'identity'],
        ['identity required for replace', { identity: undefined, mode: 'replace' }, 422, 'identity'],
        [
          'identity function the engine lacks',
          { identity: { source: source('id'), target: 'id', function: 'OneOf' } },
          422,
          'identity.function',
        ],
        [
          'identity function outside the spec',
          { identity: { source: source('id'), target: 'id', function: 'Fuzzy' } },
          400,
          'identity.function',
        ],
        ['unknown target field', { fields: [{ source: source('email'), target: 'mail' }] }, 422, 'fields[0].target'],
        [
          'unknown identity target',
          { identity: { source: source('id'), target: 'key', function: 'Equality' } },
          422,
          'identity.target',
        ],
        [
          'target field written twice',
          {
            fields: [
              { source: source('email'), target: 'email' },
              { source: source('score'), target: 'email' },
            ],
          },
          422,
          'fields[1].target',
        ],
        [
          'unknown filter function',
          { filters: [{ field: source('email'), function: 'Resembles' }] },
          400,
          'filters[0].function',
        ],
        [
          'filter on an unknown model field',
          { filters: [{ field: source('phone'), function: 'IsNull' }] },
          422,
          'filters[0].field.field',
        ],
        [
          'target filter on an unmapped field',
          { filters: [{ field_id: 'id', field_type: 'Target', function: 'IsNull' }] },
          422,
          'filters[0].field_id',
        ],
        [
          'filter_logic naming a missing filter',
          { filters: [{ field: source('email'), function: 'IsNotNull' }], filter_logic: '1 AND 2' },
          422,
          'filter_logic',
        ],
        [
          'filter_logic that does not parse',
          { filters: [{ field: source('email'), function: 'IsNotNull' }], filter_logic: '(1 OR' },
          422,
          'filter_logic',
        ],
        [
          'override on an unknown model field',
          { overrides: [{ field: source('phone'), function: 'IsNull', override: 'x' }] },
          422,
          'overrides[0].field.field',
        ],
        ['bulk-only schedule', { schedule: { frequency: 'multi' } }, 422, 'schedule.frequency'],
        ['runafter without syncs', { schedule: { frequency: 'runafter' } }, 422, 'schedule.run_after'],
        ['schedule missing', { schedule: undefined }, 400, 'schedule'],
      ];
      for (const [label, overrides, status, field] of cases) {
        const body = JSON.parse(JSON.stringify(syncBody(world, overrides)));
        const response = await create(body);
        assert.equal(response.status, status, `${label}: ${response.text}`);
        assert.equal(response.body.metadata?.field, field, `${label}: ${response.text}`);
      }
      const listed = await call(server.url, 'GET', `/api/syncs?target_connection_id=${world.apiConnectionId}`, {
        key: server.apiKey,
      });
      assert.deepEqual(listed.body.data, [], 'nothing was stored');
    });

    test('a field marked new is created on the target; append runs without an identity', async () => {
      const created = await create(
        syncBody(world, {
          fields: [{ source: { field: 'email', model_id: world.modelId }, target: 'email_copy', new: true }],
        }),
      );
      assert.equal(created.status, 200, created.text);
      const target = new Database(world.targetPath, { readonly: true });
      const columns = (
        target.prepare("select name from pragma_table_info('contacts')").all() as Array<{ name: string }>
      ).map((column) => column.name);
      target.close();
      assert.ok(columns.includes('email_copy'), `columns: ${columns.join(', ')}`);
      assert.deepEqual(created.body.data.fields[0], {
        source: { field: 'email', model_id: world.modelId },
        target: 'email_copy',
        new: true,
      });

      const appended = await create(
        syncBody(world, {
          mode: 'append',
          identity: undefined,
          target: { connection_id: world.filesConnectionId, object: 'people' },
          fields: [{ source: { field: 'email', model_id: world.modelId }, target: 'email' }],
        }),
      );
      assert.equal(appended.status, 200, appended.text);
      assert.equal(appended.body.data.identity, undefined);
      for (const id of [created.body.data.id, appended.body.data.id])
        await call(server.url, 'DELETE', `/api/syncs/${id}`, { key: server.apiKey });
    });

    test('list: pages of light items, filters, updated_at desc then id; 2024-02-08 lists full items unpaginated', async () => {
      const targetId = await createConnection(
        server,
        'sqlite',
        { path: world.targetPath },
        server.apiKey,
        'List target',
      );
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1) {
        const created = await create(
          syncBody(world, {
            name: `Listed ${index}`,
            target: { connection_id: targetId, object: 'contacts' },
            active: index !== 2,
          }),
        );
        assert.equal(created.status, 200, created.text);
        ids.push(created.body.data.id);
      }
      await call(server.url, 'POST', `/api/syncs/${ids[0]}/activate`, { key: server.apiKey, body: { active: true } }); // now the most recently updated
      const rows = await Promise.all(
        ids.map(async (id) => (await server.ferry.context.repositories.modelSyncs.get(server.organizationId, id))!),
      );
      const expected = rows
        .sort((a, b) => (a.updated_at === b.updated_at ? (a.id < b.id ? -1 : 1) : a.updated_at < b.updated_at ? 1 : -1))
        .map((row) => row.id);
      assert.equal(expected[0], ids[0]);

      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await call(
          server.url,
          'GET',
          `/api/syncs?target_connection_id=${targetId}&limit=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
          { key: server.apiKey },
        );
        assert.equal(page.status, 200, page.text);
        assert.ok(page.body.data.length <= 2);
        seen.push(...page.body.data.map((item: { id: string }) => item.id));
        token = page.body.pagination.next_page_token;
        pages += 1;
      } while (token);
      assert.deepEqual(seen, expected);
      assert.equal(pages, 3);

      const light = await call(server.url, 'GET', `/api/syncs?target_connection_id=${targetId}`, {
        key: server.apiKey,
      });
      const item = light.body.data.find((candidate: { id: string }) => candidate.id === ids[1]);
      assert.deepEqual(Object.keys(item).sort(), [
        'active',
        'created_at',
        'created_by',
        'id',
        'mode',
        'model_ids',
        'name',
        'only_enrich_updates',
        'organization_id',
        'schedule',
        'skip_initial_backfill',
        'sync_all_records',
        'target_connection_id',
        'target_object',
        'updated_at',
        'updated_by',
      ]);
      assert.equal(item.target_object, 'contacts');
      assert.deepEqual(light.body.pagination, {});

      const inactive = await call(server.url, 'GET', `/api/syncs?target_connection_id=${targetId}&active=false`, {
        key: server.apiKey,
      });
      assert.deepEqual(
        inactive.body.data.map((candidate: { id: string }) => candidate.id),
        [ids[2]],
      );
      const byMode = await call(server.url, 'GET', `/api/syncs?target_connection_id=${targetId}&mode=append`, {
        key: server.apiKey,
      });
      assert.deepEqual(byMode.body.data, []);

      assert.equal(
        (await call(server.url, 'GET', '/api/syncs?limit=51', { key: server.apiKey })).body.metadata.field,
        'limit',
      );
      assert.equal((await call(server.url, 'GET', '/api/syncs?limit=51', { key: server.apiKey })).status, 400);
      const badToken = await call(server.url, 'GET', '/api/syncs?page_token=not-a-token', { key: server.apiKey });
      assert.equal(badToken.status, 400);
      assert.equal(badToken.body.metadata.field, 'page_token');
      const defaulted = await call(server.url, 'GET', `/api/syncs?target_connection_id=${targetId}&limit=0`, {
        key: server.apiKey,
      });
      assert.equal(defaulted.body.data.length, 5, 'limit 0 means the default');

      // 2024-02-08: the same data as full ModelSyncResponse items, no pagination; limit is not a 2024 parameter.
      const old = await call(server.url, 'GET', `/api/syncs?target_connection_id=${targetId}&limit=2`, {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.equal(old.status, 200, old.text);
      assert.equal(old.body.pagination, undefined);
      assert.deepEqual(
        old.body.data.map((candidate: { id: string }) => candidate.id),
        expected,
      );
      // Every item is its sync's own read, to the byte (the list maps its rows on a path of its own).
      for (const item of old.body.data as Array<{ id: string; target_connection_id?: string }>) {
        const single = await call(server.url, 'GET', `/api/syncs/${item.id}`, {
          key: server.apiKey,
          version: '2024-02-08',
        });
        assert.equal(JSON.stringify(item), JSON.stringify(single.body.data), `${item.id} as its read`);
        assert.equal(item.target_connection_id, undefined);
      }

      for (const id of ids) await call(server.url, 'DELETE', `/api/syncs/${id}`, { key: server.apiKey });
    });

    test('2023-04-25 updates with PATCH and lists full items like 2024-02-08', async () => {
      const sync = (await create(syncBody(world))).body.data;
      const patched = await call(server.url, 'PATCH', `/api/syncs/${sync.id}`, {
        key: server.apiKey,
        version: '2023-04-25',
        body: syncBody(world, { name: 'Patched' }),
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.data.name, 'Patched');
      assert.equal(
        (
          await call(server.url, 'PUT', `/api/syncs/${sync.id}`, {
            key: server.apiKey,
            version: '2023-04-25',
            body: syncBody(world),
          })
        ).status,
        404,
      );
      const listed = await call(server.url, 'GET', `/api/syncs?target_connection_id=${world.targetConnectionId}`, {
        key: server.apiKey,
        version: '2023-04-25',
      });
      assert.equal(listed.body.pagination, undefined);
      assert.deepEqual(listed.body.data.find((item: { id: string }) => item.id === sync.id).fields, sync.fields);
      await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey });
    });

    test('schedule options', async () => {
      const response = await call(server.url, 'GET', '/api/syncs/schedules', { key: server.apiKey });
      assert.equal(response.status, 200);
      const frequencies = response.body.data.schedule_options.map((option: { frequency: string }) => option.frequency);
      assert.ok(
        frequencies.includes('manual') && frequencies.includes('daily') && !frequencies.includes('multi'),
        frequencies.join(', '),
      );
    });

    test("another organization's sync is a 404 everywhere, and its model cannot be used", async () => {
      const sync = (await create(syncBody(world))).body.data;
      const organizationId = (
        await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Other tenant' } })
      ).body.data.id;
      const userId = (
        await call(server.url, 'POST', `/api/organizations/${organizationId}/users`, {
          key: server.partnerKey,
          body: { email: 'owner@other.example' },
        })
      ).body.data.id;
      const key = (
        await call(server.url, 'POST', `/api/organizations/${organizationId}/users/${userId}/keys`, {
          key: server.partnerKey,
        })
      ).body.data.value;
      const attempts: Array<[string, string, unknown?]> = [
        ['GET', `/api/syncs/${sync.id}`],
        ['PUT', `/api/syncs/${sync.id}`, syncBody(world)],
        ['POST', `/api/syncs/${sync.id}/activate`, { active: false }],
        ['DELETE', `/api/syncs/${sync.id}`],
        ['GET', `/api/entities/${sync.id}`],
      ];
      for (const [method, path, body] of attempts)
        assert.equal((await call(server.url, method, path, { key, body })).status, 404, `${method} ${path}`);
      assert.deepEqual((await call(server.url, 'GET', '/api/syncs', { key })).body.data, []);
      const borrowed = await create(syncBody(world), key);
      assert.equal(borrowed.status, 422);
      assert.equal(borrowed.body.metadata.field, 'fields[0].source.model_id');
      // Its own model on another tenant's connection: the connection is not found.
      const ownModel = await insertModel(server, world.sourceConnectionId, 'Own', ['id', 'email'], organizationId);
      const foreignTarget = await create(
        syncBody(world, {
          identity: { source: { field: 'id', model_id: ownModel }, target: 'id', function: 'Equality' },
          fields: [{ source: { field: 'email', model_id: ownModel }, target: 'email' }],
        }),
        key,
      );
      assert.equal(foreignTarget.body.metadata.field, 'target.connection_id');
      assert.equal(
        (await call(server.url, 'GET', `/api/syncs/${sync.id}`, { key: server.apiKey })).body.data.active,
        true,
        'unchanged',
      );
      await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey });
    });

    test('entity lookup resolves a sync to its path, model and target connection', async () => {
      const sync = (await create(syncBody(world))).body.data;
      const response = await call(server.url, 'GET', `/api/entities/${sync.id}`, { key: server.apiKey });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body.data, {
        id: sync.id,
        type: 'sync',
        canonical_path: `/api/syncs/${sync.id}`,
        relationships: {
          model: { id: world.modelId, path: `/api/models/${world.modelId}` },
          target_connection: { id: world.targetConnectionId, path: `/api/connections/${world.targetConnectionId}` },
        },
      });
      assert.equal(
        (await call(server.url, 'GET', response.body.data.canonical_path, { key: server.apiKey })).body.data.id,
        sync.id,
      );
      await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey });
    });

    test('delete is a 409 while an execution is in progress, and drops the change-detection state', async () => {
      const sync = (await create(syncBody(world))).body.data;
      const { db } = server.ferry.context.database;
      const now = new Date().toISOString();
      const execution = {
        id: crypto.randomUUID(),
        sync_id: sync.id,
        organization_id: server.organizationId,
        type: 'manual',
        options: '{}',
        counts: '{}',
        errors: '[]',
        record_logs: null,
        cancel_requested: 0,
        created_at: now,
        started_at: now,
        completed_at: null,
        updated_at: now,
      };
      await db
        .insertInto('model_sync_executions')
        .values({ ...execution, status: 'running' })
        .execute();
      await db
        .insertInto('model_sync_record_states')
        .values({
          sync_id: sync.id,
          identity_key: '1',
          hash: 'h',
          identity: '{"id":1}',
          seen_execution_id: execution.id,
          updated_at: now,
        })
        .execute();
      await db
        .insertInto('model_sync_baselines')
        .values({ sync_id: sync.id, execution_id: execution.id, established_at: now })
        .execute();

      for (const status of ['running', 'queued', 'created', 'canceling']) {
        await db.updateTable('model_sync_executions').set({ status }).where('id', '=', execution.id).execute();
        const refused = await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey });
        assert.equal(refused.status, 409, status);
      }
      assert.equal((await call(server.url, 'GET', `/api/syncs/${sync.id}`, { key: server.apiKey })).status, 200);

      await db
        .updateTable('model_sync_executions')
        .set({ status: 'completed', completed_at: now })
        .where('id', '=', execution.id)
        .execute();
      assert.equal((await call(server.url, 'DELETE', `/api/syncs/${sync.id}`, { key: server.apiKey })).status, 204);
      assert.deepEqual(
        await db.selectFrom('model_sync_record_states').select('identity_key').where('sync_id', '=', sync.id).execute(),
        [],
      );
      assert.deepEqual(
        await db.selectFrom('model_sync_baselines').select('execution_id').where('sync_id', '=', sync.id).execute(),
        [],
      );
      assert.deepEqual(
        await db.selectFrom('model_sync_executions').select('id').where('sync_id', '=', sync.id).execute(),
        [],
        'executions go with the sync',
      );
    });
  });
}
