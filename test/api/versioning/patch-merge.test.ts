// PATCH in 2023-04-25, 2022-12-12 and 2021-05-23 is a JSON merge patch (RFC 7396): for every resource updated with
// PATCH there, a patch with one field keeps everything else, `null` removes a field (what an update without it
// gives), a full body gives what the newer versions' PUT gives, and another tenant's id is 404.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../../kit/ferry-server.ts';
import type { ReadBack } from '../../kit/read-back.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from '../model-sync-kit.ts';

const patchVersions = ['2023-04-25', '2022-12-12', '2021-05-23'] as const;
type PatchVersion = (typeof patchVersions)[number];

/** What differs between two equal resources made separately: ids, audit stamps, the time of a schedule. */
const volatileKeys = new Set(['id', 'created_at', 'updated_at', 'created_by', 'updated_by']);

function stripVolatile(value: unknown, ignore: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => stripVolatile(item, ignore));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !volatileKeys.has(key) && !ignore.includes(key))
      .map(([key, item]) => [key, stripVolatile(item, ignore)]),
  );
}

interface PatchCase {
  resource: string;
  /** The update path of a fresh resource. */
  create(): Promise<string>;
  /** Where it is read (default: the update path). */
  readPath?(path: string): string;
  key(): string;
  /** A key of another tenant. */
  foreignKey(): string;
  /** A patch of one field, and what the resource then shows for it. */
  rename(index: number): { patch: Record<string, unknown>; shows: Record<string, unknown> };
  /** A patch with a null, and what it does. */
  nulled: { patch: Record<string, unknown>; check(before: ReadBack, after: ReadBack, response: ReadBack): void };
  /** What the stored resource keeps that responses never show (secrets), checked after the one-field patch. */
  keptSecrets?(path: string): Promise<void>;
  /** A full update body in the newest shape, and in a PATCH version's shape. */
  fullBody(version?: PatchVersion): Record<string, unknown>;
  /** Keys that differ between two resources made separately for reasons other than the update. */
  ignore?: string[];
}

describe('PATCH is a JSON merge patch in 2023-04-25, 2022-12-12 and 2021-05-23', () => {
  let server: TestFerry;
  let world: ModelSyncWorld;
  let foreignKey: string;
  let foreignPartnerKey: string;
  let counter = 0;
  const unique = () => {
    counter += 1;
    return counter;
  };

  const post = async (path: string, body: unknown, key = server.apiKey) => {
    const response = await call(server.url, 'POST', path, { key, body });
    assert.equal(response.status, 200, `POST ${path}: ${response.text}`);
    return response.body.data;
  };
  const read = async (path: string, key = server.apiKey) => {
    const response = await call(server.url, 'GET', path, { key });
    assert.equal(response.status, 200, `GET ${path}: ${response.text}`);
    return response.body.data;
  };
  const sealed = (text: string) => server.ferry.context.secretBox.open(text);

  before(async () => {
    server = await startFerry('sqlite');
    world = await createModelSyncWorld(server);
    const foreign = await post('/api/organizations', { name: 'Foreign tenant' }, server.partnerKey);
    const foreignUser = await post(
      `/api/organizations/${foreign.id}/users`,
      { email: 'owner@foreign.example' },
      server.partnerKey,
    );
    foreignKey = (
      await call(server.url, 'POST', `/api/organizations/${foreign.id}/users/${foreignUser.id}/keys`, {
        key: server.partnerKey,
      })
    ).body.data.value;
    const { repositories } = server.ferry.context;
    const partner = await repositories.partners.create('Other partner');
    const owner = await repositories.organizations.create(partner.id, { name: 'Other partner owner' });
    await repositories.partners.setOwnerOrganization(partner.id, owner.id);
    foreignPartnerKey = (await repositories.apiKeys.create({ kind: 'partner', partnerId: partner.id })).value;
  });
  after(async () => {
    await server.close();
    world.remove();
  });

  const postgresConfiguration = (password: string) => ({
    hostname: '127.0.0.1',
    port: 5432,
    database: 'test',
    username: 'postgres',
    password,
    ssl: false,
  });

  const bulkBody = (version?: PatchVersion) => {
    const discover = version === '2022-12-12' || version === '2021-05-23' ? false : 'none';
    return {
      name: 'Full bulk sync',
      source_connection_id: world.sourceConnectionId,
      destination_connection_id: world.targetConnectionId,
      destination_configuration: { schema: 'main' },
      automatically_add_new_fields: discover,
      automatically_add_new_objects: discover,
      concurrency_limit: 2,
      schemas: [{ id: 'users', user_output_name: 'people' }],
      ...(version ? { schedule: { frequency: 'manual' } } : { default_schedule: { frequency: 'manual' } }),
    };
  };
  const createBulkSync = async () =>
    post('/api/bulk/syncs', {
      ...bulkBody(),
      name: `Bulk ${unique()}`,
      destination_configuration: {},
      concurrency_limit: 4,
      schemas: [{ id: 'users', enabled: false, user_output_name: 'people', tracking_field: 'id' }],
      default_schedule: { frequency: 'daily', hour: '5', minute: '30' },
    });

  const modelBody = () => ({
    name: 'Full model',
    connection_id: world.sourceConnectionId,
    configuration: { query: 'select id, email, score from users' },
    identifier: 'id',
    fields: ['id', 'email'],
    labels: ['people'],
    tracking_columns: ['id'],
  });

  const cases: PatchCase[] = [
    {
      resource: 'connections',
      create: async () => {
        const created = await post('/api/connections', {
          name: `Connection ${unique()}`,
          type: 'postgresql',
          configuration: postgresConfiguration('first-secret'),
        });
        return `/api/connections/${created.id}`;
      },
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({ patch: { name: `Renamed ${index}` }, shows: { name: `Renamed ${index}` } }),
      nulled: {
        // A nested object merges key by key; null removes one key of it.
        patch: { configuration: { database: 'postgres', ssl: null } },
        check: (before, after) => {
          const { ssl: _ssl, ...kept } = before.configuration;
          assert.deepEqual(after.configuration, { ...kept, database: 'postgres' });
          assert.equal(after.name, before.name);
        },
      },
      keptSecrets: async (path) => {
        const row = await server.ferry.context.repositories.connections.get(
          server.organizationId,
          path.split('/').at(-1)!,
        );
        assert.equal(JSON.parse(sealed(row!.configuration_sealed!)).password, 'first-secret');
      },
      fullBody: () => ({
        name: 'Full connection',
        configuration: { ...postgresConfiguration('second-secret'), database: 'postgres' },
        policies: [],
      }),
    },
    {
      resource: 'bulk syncs',
      create: async () => `/api/bulk/syncs/${(await createBulkSync()).id}`,
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({ patch: { name: `Renamed ${index}` }, shows: { name: `Renamed ${index}` } }),
      nulled: {
        patch: { concurrency_limit: null },
        check: (before, after) => {
          assert.equal(before.concurrency_limit, 4);
          assert.equal(after.concurrency_limit, undefined);
          assert.equal(after.automatically_add_new_fields, 'none');
        },
      },
      keptSecrets: async (path) => {
        // Not a secret, but not in the sync's own response: the schema selection and its settings stay.
        const schema = await read(`${path}/schemas/users`);
        assert.deepEqual([schema.enabled, schema.user_output_name, schema.tracking_field], [false, 'people', 'id']);
      },
      fullBody: bulkBody,
    },
    {
      resource: 'bulk sync schemas',
      create: async () => `/api/bulk/syncs/${(await createBulkSync()).id}/schemas/users`,
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({
        patch: { user_output_name: `renamed_${index}` },
        shows: { user_output_name: `renamed_${index}`, output_name: `renamed_${index}` },
      }),
      nulled: {
        patch: { tracking_field: null },
        check: (before, after) => {
          assert.equal(before.tracking_field, 'id');
          assert.equal(after.tracking_field, undefined);
          assert.equal(after.enabled, false);
        },
      },
      fullBody: () => ({ enabled: true, user_output_name: 'everyone', tracking_field: 'email' }),
    },
    {
      resource: 'models',
      create: async () =>
        `/api/models/${(await post('/api/models', { ...modelBody(), name: `Model ${unique()}` })).id}`,
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({ patch: { name: `Renamed ${index}` }, shows: { name: `Renamed ${index}` } }),
      nulled: {
        patch: { labels: null, fields: null },
        check: (before, after) => {
          assert.deepEqual(before.labels, [{ name: 'people' }]);
          assert.deepEqual(after.labels, []);
          assert.deepEqual(
            after.fields.map((field: { id: string }) => field.id),
            ['id', 'email', 'score'],
            'without a selection, every field of the SQL',
          );
          assert.equal(after.identifier, 'id');
        },
      },
      fullBody: () => ({ ...modelBody(), name: 'Full model', fields: ['id', 'score'], labels: ['scored'] }),
    },
    {
      resource: 'model syncs',
      create: async () =>
        `/api/syncs/${(await post('/api/syncs', syncBody(world, { name: `Sync ${unique()}`, sync_all_records: true }))).id}`,
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({ patch: { name: `Renamed ${index}` }, shows: { name: `Renamed ${index}` } }),
      nulled: {
        patch: { sync_all_records: null },
        check: (before, after) => {
          assert.equal(before.sync_all_records, true);
          assert.equal(after.sync_all_records, false);
          assert.equal(after.mode, 'updateOrCreate');
        },
      },
      fullBody: () =>
        syncBody(world, {
          name: 'Full sync',
          schedule: { frequency: 'daily', hour: '05', minute: '30' },
          sync_all_records: false,
        }),
    },
    {
      resource: 'organizations',
      create: async () => {
        const created = await post(
          '/api/organizations',
          {
            name: `Organization ${unique()}`,
            client_id: 'client-1',
            client_secret: 'client-secret-1',
            issuer: 'https://issuer.example',
            sso_domain: 'one.example',
          },
          server.partnerKey,
        );
        return `/api/organizations/${created.id}`;
      },
      key: () => server.partnerKey,
      foreignKey: () => foreignPartnerKey,
      rename: (index) => ({ patch: { name: `Renamed org ${index}` }, shows: { name: `Renamed org ${index}` } }),
      nulled: {
        patch: { sso_domain: null },
        check: (before, after) => {
          assert.equal(before.sso_domain, 'one.example');
          assert.equal(after.sso_domain, undefined);
          assert.equal(after.issuer, 'https://issuer.example');
        },
      },
      keptSecrets: async (path) => {
        const row = await server.ferry.context.repositories.organizations.get(path.split('/').at(-1)!);
        assert.equal(row!.client_id, 'client-1');
        assert.equal(sealed(row!.client_secret_sealed!), 'client-secret-1');
      },
      fullBody: () => ({
        name: `Full org ${unique()}`,
        client_id: 'client-2',
        client_secret: 'client-secret-2',
        issuer: 'https://other-issuer.example',
        sso_domain: 'two.example',
        sso_org_id: 'org-9',
      }),
      ignore: ['name'],
    },
    {
      resource: 'users',
      create: async () => {
        const created = await post(
          `/api/organizations/${server.organizationId}/users`,
          { email: `user-${unique()}@example.com`, role: 'admin' },
          server.partnerKey,
        );
        return `/api/organizations/${server.organizationId}/users/${created.id}`;
      },
      key: () => server.partnerKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({
        patch: { email: `renamed-${index}@example.com` },
        shows: { email: `renamed-${index}@example.com` },
      }),
      nulled: {
        // role is kept by an update that leaves it out, so null (which leaves it out of the merged body) keeps it.
        patch: { role: null },
        check: (before, after) => {
          assert.equal(before.role, 'admin');
          assert.equal(after.role, 'admin');
        },
      },
      fullBody: () => ({ email: `full-${unique()}@example.com`, role: 'user' }),
      ignore: ['email'],
    },
    {
      resource: 'roles',
      create: async () =>
        `/api/permissions/roles/${(await post('/api/permissions/roles', { name: `Role ${unique()}` })).id}`,
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({ patch: { name: `Renamed role ${index}` }, shows: { name: `Renamed role ${index}` } }),
      nulled: {
        // name is required: null removes it, and the merged body is refused naming it.
        patch: { name: null },
        check: (before, after, response) => {
          assert.equal(response.status, 400);
          assert.equal(response.body.metadata?.field ?? response.body.metadata?.issues?.[0]?.field, 'name');
          assert.equal(after.name, before.name);
        },
      },
      fullBody: () => ({ name: `Full role ${unique()}` }),
      ignore: ['name'],
    },
    {
      resource: 'policies',
      create: async () => {
        const role = await post('/api/permissions/roles', { name: `Policy role ${unique()}` });
        const created = await post('/api/permissions/policies', {
          name: `Policy ${unique()}`,
          policy_actions: [{ action: 'read', role_ids: [role.id] }],
        });
        return `/api/permissions/policies/${created.id}`;
      },
      key: () => server.apiKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({ patch: { name: `Renamed policy ${index}` }, shows: { name: `Renamed policy ${index}` } }),
      nulled: {
        // An update without policy_actions grants nothing.
        patch: { policy_actions: null },
        check: (before, after) => {
          assert.equal(before.policy_actions.length, 1);
          assert.deepEqual(after.policy_actions, []);
        },
      },
      fullBody: () => ({ name: `Full policy ${unique()}`, policy_actions: [{ action: 'edit', role_ids: [] }] }),
      ignore: ['name'],
    },
    {
      resource: 'webhooks',
      create: async () => {
        // One webhook per organization: each gets its own.
        const organization = await post('/api/organizations', { name: `Hooks ${unique()}` }, server.partnerKey);
        const created = await post(
          '/api/webhooks',
          { endpoint: 'https://hooks.example.com/ferry', secret: 'hook-secret-1', organization_id: organization.id },
          server.partnerKey,
        );
        return `/api/webhooks/${created.id}`;
      },
      key: () => server.partnerKey,
      foreignKey: () => foreignKey,
      rename: (index) => ({
        patch: { endpoint: `https://hooks.example.com/renamed-${index}` },
        shows: { endpoint: `https://hooks.example.com/renamed-${index}` },
      }),
      nulled: {
        patch: { secret: null },
        check: (before, after, response) => {
          assert.equal(response.status, 400);
          assert.match(response.body.message, /secret/);
          assert.equal(after.endpoint, before.endpoint);
        },
      },
      keptSecrets: async (path) => {
        const row = await server.ferry.context.repositories.webhooks.get(
          [(await read(path, server.partnerKey)).organization_id],
          path.split('/').at(-1)!,
        );
        assert.equal(sealed(row!.secret_sealed), 'hook-secret-1');
      },
      fullBody: () => ({ endpoint: 'https://hooks.example.com/full', secret: 'hook-secret-2' }),
      ignore: ['organization_id'],
    },
  ];

  for (const patchCase of cases) {
    describe(patchCase.resource, () => {
      for (const version of patchVersions) {
        test(`${version}: one field kept apart, null, a full body as PUT, another tenant's id`, async () => {
          const key = patchCase.key();
          const readOf = (path: string) => read(patchCase.readPath?.(path) ?? path, key);
          const patch = (path: string, body: unknown, as = key) =>
            call(server.url, 'PATCH', path, { key: as, version, body });

          const path = await patchCase.create();
          const before = await readOf(path);
          const index = unique();
          const { patch: onlyOne, shows } = patchCase.rename(index);
          const renamed = await patch(path, onlyOne);
          assert.equal(renamed.status, 200, renamed.text);
          const afterRename = await readOf(path);
          assert.deepEqual(
            stripVolatile(afterRename, ['version']),
            stripVolatile({ ...before, ...shows }, ['version']),
          );
          await patchCase.keptSecrets?.(path);

          const nulledResponse = await patch(path, patchCase.nulled.patch);
          if (nulledResponse.status !== 400) assert.equal(nulledResponse.status, 200, nulledResponse.text);
          patchCase.nulled.check(afterRename, await readOf(path), nulledResponse);

          const viaPut = await patchCase.create();
          const viaPatch = await patchCase.create();
          const put = await call(server.url, 'PUT', viaPut, { key, body: patchCase.fullBody() });
          assert.equal(put.status, 200, put.text);
          const full = await patch(viaPatch, patchCase.fullBody(version));
          assert.equal(full.status, 200, full.text);
          assert.deepEqual(
            stripVolatile(await readOf(viaPatch), patchCase.ignore),
            stripVolatile(await readOf(viaPut), patchCase.ignore),
          );

          const foreign = await patch(path, onlyOne, patchCase.foreignKey());
          assert.equal(foreign.status, 404, foreign.text);
          assert.equal(foreign.headers.get('x-polytomic-version'), version);
        });
      }
    });
  }

  test('a wrong value in a patch is a 400 naming the field; the model-sync and model patches of the known failures', async () => {
    const sync = await post('/api/syncs', syncBody(world, { name: `Sync ${unique()}` }));
    const wrong = await call(server.url, 'PATCH', `/api/syncs/${sync.id}`, {
      key: server.apiKey,
      version: '2023-04-25',
      body: { mode: 'mirror' },
    });
    assert.equal(wrong.status, 400, wrong.text);
    assert.match(wrong.body.message, /mode/);
    const renamed = await call(server.url, 'PATCH', `/api/syncs/${sync.id}`, {
      key: server.apiKey,
      version: '2023-04-25',
      body: { name: 'Only the name' },
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(stripVolatile({ ...renamed.body.data, name: sync.name }), stripVolatile(sync));
    const model = await post('/api/models', { ...modelBody(), name: `Model ${unique()}` });
    const newSql = await call(server.url, 'PATCH', `/api/models/${model.id}`, {
      key: server.apiKey,
      version: '2022-12-12',
      body: { configuration: { table: 'users' } },
    });
    assert.equal(newSql.status, 200, newSql.text);
    assert.deepEqual(newSql.body.data.configuration, { table: 'users' }, 'a configuration is replaced whole');
    assert.deepEqual(
      newSql.body.data.fields.map((field: { id: string }) => field.id),
      ['id', 'email', 'score'],
      'a new SQL without `fields` selects all of its fields',
    );
    assert.deepEqual(newSql.body.data.labels, [{ name: 'people' }]);
  });

  test('2022-12-12: a bulk-sync create may leave out destination_configuration ({} then)', async () => {
    const { destination_configuration: _left, ...body } = bulkBody('2022-12-12');
    const created = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      version: '2022-12-12',
      body,
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.data.destination_configuration, {});
    assert.equal(created.body.data.automatically_add_new_fields, false);
    const newer = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      version: '2024-02-08',
      body,
    });
    assert.equal(newer.status, 400, 'required from 2024-02-08 on');
    assert.match(newer.body.message, /destination_configuration/);
  });

  test('a 2024-02-08 PUT still replaces: a bulk sync without schedule is a 400 naming it', async () => {
    const sync = await createBulkSync();
    const { schedule: _schedule, ...body } = bulkBody('2023-04-25') as Record<string, unknown>;
    const put = await call(server.url, 'PUT', `/api/bulk/syncs/${sync.id}`, {
      key: server.apiKey,
      version: '2024-02-08',
      body,
    });
    assert.equal(put.status, 400, put.text);
    assert.equal(put.body.metadata.field, 'schedule');
  });
});
