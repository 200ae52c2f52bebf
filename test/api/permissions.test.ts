// Roles and policies over HTTP with user-scoped keys: the CRUD routes in both versions, built-ins that cannot be
// deleted, a Viewer refused on every write and run, an Admin allowed everything, and a custom policy attached to one
// connection granting a custom role `edit` there and nowhere else (lists and entity lookups included).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';
import { guardPermissions } from '../../src/api/permission-guard.ts';
import { allRoutes } from '../../src/api/routes.ts';
import type { PermissionsService } from '../../src/services/permissions-service.ts';

const versions = ['2025-09-18', '2024-02-08'] as const;

for (const dialect of await availableDialects()) {
  describe(`roles and policies (${dialect} metadata)`, () => {
    let server: TestFerry;
    let world: ModelSyncWorld;
    let syncId: string;
    let bulkSyncId: string;
    const builtIn: Record<string, string> = {};
    const builtInPolicy: Record<string, string> = {};

    /** A user of the bootstrap organization holding `body`'s roles, and its user-scoped key. */
    async function userKey(body: { role_ids?: string[]; role?: string }): Promise<{ id: string; key: string }> {
      const user = await call(server.url, 'POST', `/api/organizations/${server.organizationId}/users`, {
        key: server.partnerKey,
        body: { email: `u-${Math.random().toString(36).slice(2)}@perm.example`, ...body },
      });
      assert.equal(user.status, 200, user.text);
      const key = await call(
        server.url,
        'POST',
        `/api/organizations/${server.organizationId}/users/${user.body.data.id}/keys`,
        { key: server.partnerKey },
      );
      assert.equal(key.status, 200, key.text);
      return { id: user.body.data.id, key: key.body.data.value };
    }

    before(async () => {
      server = await startFerry(dialect);
      world = await createModelSyncWorld(server);
      const sync = await call(server.url, 'POST', '/api/syncs', { key: server.apiKey, body: syncBody(world) });
      assert.equal(sync.status, 200, sync.text);
      syncId = sync.body.data.id;
      const bulk = await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: {
          name: 'Copy',
          source_connection_id: world.sourceConnectionId,
          destination_connection_id: world.targetConnectionId,
          destination_configuration: {},
          default_schedule: { frequency: 'manual' },
        },
      });
      assert.equal(bulk.status, 200, bulk.text);
      bulkSyncId = bulk.body.data.id;
      const roles = await call(server.url, 'GET', '/api/permissions/roles', { key: server.apiKey });
      for (const role of roles.body.data) builtIn[role.name] = role.id;
      const policies = await call(server.url, 'GET', '/api/permissions/policies', { key: server.apiKey });
      for (const policy of policies.body.data) builtInPolicy[policy.name] = policy.id;
    });
    after(async () => {
      await server.close();
      world.remove();
    });

    test('the built-in roles and policies are listed in both versions and cannot be deleted', async () => {
      for (const version of versions) {
        const roles = await call(server.url, 'GET', '/api/permissions/roles', { key: server.apiKey, version });
        assert.equal(roles.status, 200, roles.text);
        assert.deepEqual(
          roles.body.data.filter((role: { system: boolean }) => role.system).map((role: { name: string }) => role.name),
          ['Admin', 'Editor', 'Sync Editor', 'Viewer'],
        );
        const policies = await call(server.url, 'GET', '/api/permissions/policies', { key: server.apiKey, version });
        assert.deepEqual(
          policies.body.data
            .filter((policy: { system: boolean }) => policy.system)
            .map((p: { name: string }) => p.name),
          ['Connections', 'Models', 'Model syncs', 'Bulk syncs'],
        );
        const connections = policies.body.data.find((policy: { name: string }) => policy.name === 'Connections');
        const read = connections.policy_actions.find((grant: { action: string }) => grant.action === 'read');
        assert.ok(read.role_ids.includes(builtIn.Viewer));
      }
      const role = await call(server.url, 'DELETE', `/api/permissions/roles/${builtIn.Admin}`, { key: server.apiKey });
      assert.equal(role.status, 403, role.text);
      assert.match(role.body.message, /built-in role/);
      const renamed = await call(server.url, 'PUT', `/api/permissions/roles/${builtIn.Viewer}`, {
        key: server.apiKey,
        body: { name: 'Watcher' },
      });
      assert.equal(renamed.status, 403, renamed.text);
      const policy = await call(server.url, 'DELETE', `/api/permissions/policies/${builtInPolicy.Models}`, {
        key: server.partnerKey,
      });
      assert.equal(policy.status, 403, policy.text);
      assert.match(policy.body.message, /built-in policy/);
      assert.equal(
        (await call(server.url, 'GET', `/api/permissions/policies/${builtInPolicy.Models}`, { key: server.apiKey }))
          .status,
        200,
      );
    });

    test('role and policy CRUD in both versions, with strict validation naming the field', async () => {
      for (const version of versions) {
        const created = await call(server.url, 'POST', '/api/permissions/roles', {
          key: server.apiKey,
          version,
          body: { name: `Analyst ${version}` },
        });
        assert.equal(created.status, 200, created.text);
        assert.equal(created.body.data.system, false);
        assert.equal(created.body.data.organization_id, server.organizationId);
        const id = created.body.data.id;
        const updated = await call(server.url, 'PUT', `/api/permissions/roles/${id}`, {
          key: server.apiKey,
          version,
          body: { name: `Analyst+ ${version}` },
        });
        assert.equal(updated.status, 200, updated.text);
        assert.equal(updated.body.data.name, `Analyst+ ${version}`);

        const policy = await call(server.url, 'POST', '/api/permissions/policies', {
          key: server.apiKey,
          version,
          body: { name: `Analysts ${version}`, policy_actions: [{ action: 'read', role_ids: [id] }] },
        });
        assert.equal(policy.status, 200, policy.text);
        assert.deepEqual(policy.body.data.policy_actions, [{ action: 'read', role_ids: [id] }]);
        const policyId = policy.body.data.id;
        const got = await call(server.url, 'GET', `/api/permissions/policies/${policyId}`, {
          key: server.apiKey,
          version,
        });
        assert.equal(got.body.data.name, `Analysts ${version}`);

        // Deleting the role takes it off the policy's grants.
        assert.equal(
          (await call(server.url, 'DELETE', `/api/permissions/roles/${id}`, { key: server.apiKey, version })).status,
          204,
        );
        assert.equal(
          (await call(server.url, 'GET', `/api/permissions/roles/${id}`, { key: server.apiKey })).status,
          404,
        );
        const after = await call(server.url, 'GET', `/api/permissions/policies/${policyId}`, { key: server.apiKey });
        assert.deepEqual(after.body.data.policy_actions, [{ action: 'read', role_ids: [] }]);
        assert.equal(
          (await call(server.url, 'DELETE', `/api/permissions/policies/${policyId}`, { key: server.apiKey, version }))
            .status,
          204,
        );
        assert.equal(
          (await call(server.url, 'GET', `/api/permissions/policies/${policyId}`, { key: server.apiKey })).status,
          404,
        );
      }

      const refusals: Array<[string, string, unknown, number, string]> = [
        ['POST', '/api/permissions/roles', {}, 400, 'name'],
        ['POST', '/api/permissions/roles', { name: 'x', colour: 'red' }, 400, 'colour'],
        ['POST', '/api/permissions/roles', { name: 'Viewer' }, 422, 'name'],
        [
          'POST',
          '/api/permissions/policies',
          { name: 'p', policy_actions: [{ action: 'fly' }] },
          400,
          'policy_actions[0].action',
        ],
        [
          'POST',
          '/api/permissions/policies',
          { name: 'p', policy_actions: [{ action: 'edit', role_ids: ['no-such-role'] }] },
          422,
          'policy_actions[0].role_ids[0]',
        ],
        [
          'POST',
          '/api/permissions/policies',
          { name: 'p', policy_actions: [{ role_ids: [] }] },
          400,
          'policy_actions[0].action',
        ],
      ];
      for (const [method, path, body, status, field] of refusals) {
        const response = await call(server.url, method, path, { key: server.apiKey, body });
        assert.equal(response.status, status, `${JSON.stringify(body)}: ${response.text}`);
        assert.match(JSON.stringify(response.body), new RegExp(field.replace(/[[\]]/g, '\\$&')), response.text);
      }
    });

    /** The ids of the world's objects, for a route's path parameters. */
    const idFor = (path: string, name: string) => {
      if (
        path.startsWith('/api/syncs') &&
        ['id', 'sync_id'].includes(name) &&
        !(name === 'id' && path.includes('{sync_id}'))
      )
        return syncId;
      if (path.startsWith('/api/bulk') && ['id', 'sync_id'].includes(name)) return bulkSyncId;
      if (path.startsWith('/api/models') && name === 'id') return world.otherModelId;
      if (['id', 'connection_id'].includes(name)) return world.targetConnectionId;
      return 'x';
    };

    test('a Viewer reads everything and is refused every write and every run, in both versions', async () => {
      const viewer = await userKey({ role_ids: [builtIn.Viewer] });
      for (const version of versions) {
        const options = (body?: unknown) => ({ key: viewer.key, version, body });
        for (const path of [
          `/api/connections/${world.targetConnectionId}`,
          `/api/models/${world.modelId}`,
          `/api/syncs/${syncId}`,
          `/api/bulk/syncs/${bulkSyncId}`,
        ]) {
          const read = await call(server.url, 'GET', path, options());
          assert.equal(read.status, 200, `${path}: ${read.text}`);
        }
        const listed = await call(server.url, 'GET', '/api/connections', options());
        assert.ok(listed.body.data.length >= 4);

        const writes: Array<[string, string, unknown]> = [
          ['POST', '/api/connections', { name: 'x', type: 'sqlite', configuration: { path: '/tmp/x.db' } }],
          [
            'PUT',
            `/api/connections/${world.targetConnectionId}`,
            { name: 'renamed', type: 'sqlite', configuration: { path: world.targetPath } },
          ],
          ['DELETE', `/api/connections/${world.apiConnectionId}`, undefined],
          [
            'POST',
            '/api/models',
            { name: 'm', connection_id: world.sourceConnectionId, configuration: { table: 'users' } },
          ],
          ['DELETE', `/api/models/${world.otherModelId}`, undefined],
          ['PUT', `/api/syncs/${syncId}`, syncBody(world, { name: 'renamed' })],
          ['DELETE', `/api/syncs/${syncId}`, undefined],
          ['POST', `/api/syncs/${syncId}/executions`, {}],
          ['POST', '/api/syncs', syncBody(world)],
          ['POST', `/api/bulk/syncs/${bulkSyncId}/executions`, {}],
          ['DELETE', `/api/bulk/syncs/${bulkSyncId}`, undefined],
          ['POST', `/api/bulk/syncs/${bulkSyncId}/activate`, { active: true }],
        ];
        for (const [method, path, body] of writes) {
          const response = await call(server.url, method, path, options(body));
          assert.equal(response.status, 403, `${version} ${method} ${path}: ${response.text}`);
        }
      }
      // Nothing changed.
      const connection = await call(server.url, 'GET', `/api/connections/${world.targetConnectionId}`, {
        key: server.apiKey,
      });
      assert.equal(connection.body.data.name, 'Contacts target');
      assert.equal((await call(server.url, 'GET', `/api/syncs/${syncId}`, { key: server.apiKey })).status, 200);
      // Nor may a Viewer add users or change roles and policies.
      const addUser = await call(server.url, 'POST', '/api/organization/users', {
        key: viewer.key,
        body: { email: 'new@perm.example' },
      });
      assert.equal(addUser.status, 403, addUser.text);
      const addRole = await call(server.url, 'POST', '/api/permissions/roles', {
        key: viewer.key,
        body: { name: 'Mine' },
      });
      assert.equal(addRole.status, 403, addRole.text);
    });

    test('a Viewer is refused on every write route of every guarded resource, with a body that passes validation', async () => {
      const viewer = await userKey({ role_ids: [builtIn.Viewer!] });
      const sqlite = { name: 'n', type: 'sqlite', configuration: { path: world.targetPath } };
      const model = { name: 'm', connection_id: world.sourceConnectionId, configuration: { table: 'users' } };
      const bulk = {
        name: 'b',
        source_connection_id: world.sourceConnectionId,
        destination_connection_id: world.targetConnectionId,
        destination_configuration: {},
        default_schedule: { frequency: 'manual' },
      };
      const bodies: Record<string, unknown> = {
        'POST /api/connections': sqlite,
        'PUT /api/connections/{id}': sqlite,
        'POST /api/connections/test': { type: 'sqlite', configuration: { path: world.targetPath } },
        'POST /api/connections/connect': { name: 'card', redirect_url: 'https://app.example/done' },
        'POST /api/connections/{id}/proxy': { request: { method: 'GET', path: '/' } },
        'POST /api/models': model,
        'POST /api/model-preview': model,
        'PUT /api/models/{id}': model,
        'POST /api/syncs': syncBody(world),
        'PUT /api/syncs/{id}': syncBody(world),
        'POST /api/syncs/{id}/activate': { active: false },
        'POST /api/bulk/syncs': bulk,
        'PUT /api/bulk/syncs/{id}': bulk,
        'POST /api/bulk/syncs/{id}/activate': { active: false },
        'POST /api/bulk/syncs/{sync_id}/schedules': { schedule: { frequency: 'manual' } },
        'PUT /api/bulk/syncs/{sync_id}/schedules/{schedule_id}': { schedule: { frequency: 'manual' } },
        'PUT /api/syncs/{sync_id}/executions/{id}': { status: 'canceled' },
      };
      // POSTs that only read: looking fields up, exporting logs.
      const reads = new Set([
        'POST /api/enrichment/{connection_id}/inputfields',
        'POST /api/bulk/syncs/{sync_id}/executions/{execution_id}/logs/export',
      ]);
      let checked = 0;
      for (const route of allRoutes(server.ferry.context)) {
        const key = `${route.method} ${route.path}`;
        if (route.method === 'GET' || route.access !== 'organization' || reads.has(key)) continue;
        if (!/^\/api\/(connections|models|model-preview|syncs|bulk|enrichment)(\/|$)/.test(route.path)) continue;
        const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => idFor(route.path, name));
        let response = await call(server.url, route.method, path, { key: viewer.key, body: bodies[key] ?? {} });
        if (response.status === 404 && response.body?.key === 'route_not_found')
          response = await call(server.url, route.method, path, {
            key: viewer.key,
            version: '2024-02-08',
            body: bodies[key] ?? {},
          });
        assert.equal(response.status, 403, `${key}: ${response.text}`);
        checked += 1;
      }
      assert.ok(checked >= 35, `only ${checked} write routes were checked`);
    });

    test('the permission check comes before the body is validated: a Viewer gets 403 whatever the body, an unseen object is a 404', async () => {
      const viewer = await userKey({ role_ids: [builtIn.Viewer!] });
      const nothing = await call(server.url, 'POST', '/api/permissions/roles', {
        key: server.apiKey,
        body: { name: 'Sees nothing' },
      });
      const blind = await userKey({ role_ids: [nothing.body.data.id] });
      // Wrong in every way a body can be: wrong types for the fields routes share, required fields missing.
      const malformed = { name: 42, active: 'yes', status: 7, schedule: 'never', request: 1, configuration: [] };
      const validating: Array<[string, string]> = [
        ['POST', '/api/connections'],
        ['PUT', `/api/connections/${world.targetConnectionId}`],
        ['POST', '/api/models'],
        ['POST', '/api/syncs'],
        ['PUT', `/api/syncs/${syncId}`],
        ['POST', `/api/syncs/${syncId}/activate`],
        ['POST', '/api/bulk/syncs'],
        ['POST', `/api/bulk/syncs/${bulkSyncId}/activate`],
      ];
      for (const [method, path] of validating) {
        const invalid = await call(server.url, method, path, { key: server.apiKey, body: malformed });
        assert.equal(invalid.status, 400, `the body is malformed: ${method} ${path}: ${invalid.text}`);
        const refused = await call(server.url, method, path, { key: viewer.key, body: malformed });
        assert.equal(refused.status, 403, `${method} ${path}: ${refused.text}`);
        assert.equal(refused.body.metadata?.reason, 'policy_denied', refused.text);
        assert.doesNotMatch(refused.text, /name|active|schedule/, 'nothing about the body is said');
        const unseen = await call(server.url, method, path, { key: blind.key, body: malformed });
        assert.equal(
          unseen.status,
          path.includes('/api/connections/') || /\/syncs\/./.test(path) ? 404 : 403,
          unseen.text,
        );
      }
      let checked = 0;
      for (const route of allRoutes(server.ferry.context)) {
        if (route.method === 'GET' || route.access !== 'organization' || !route.body) continue;
        if (!/^\/api\/(connections|models|model-preview|syncs|bulk)(\/|$)/.test(route.path)) continue;
        if (route.path.includes('/logs/export') || route.path.startsWith('/api/enrichment')) continue;
        const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => idFor(route.path, name));
        let response = await call(server.url, route.method, path, { key: viewer.key, body: malformed });
        if (response.status === 404 && response.body?.key === 'route_not_found')
          response = await call(server.url, route.method, path, {
            key: viewer.key,
            version: '2024-02-08',
            body: malformed,
          });
        assert.equal(response.status, 403, `${route.method} ${route.path}: ${response.text}`);
        checked += 1;
      }
      assert.ok(checked >= 20, `only ${checked} write routes with a body were checked`);
    });

    test('a Sync Editor creates and changes syncs, which sync to connections it may not edit', async () => {
      const syncEditor = await userKey({ role_ids: [builtIn['Sync Editor']!] });
      const created = await call(server.url, 'POST', '/api/syncs', {
        key: syncEditor.key,
        body: syncBody(world, { name: 'By a sync editor' }),
      });
      assert.equal(created.status, 200, created.text);
      const renamed = await call(server.url, 'PUT', `/api/syncs/${created.body.data.id}`, {
        key: syncEditor.key,
        body: syncBody(world, { name: 'Renamed by a sync editor' }),
      });
      assert.equal(renamed.status, 200, renamed.text);
      const connection = await call(server.url, 'PUT', `/api/connections/${world.targetConnectionId}`, {
        key: syncEditor.key,
        body: { name: 'x', type: 'sqlite', configuration: { path: world.targetPath } },
      });
      assert.equal(connection.status, 403, connection.text);
      const model = await call(server.url, 'DELETE', `/api/models/${world.otherModelId}`, { key: syncEditor.key });
      assert.equal(model.status, 403, model.text);
      const removed = await call(server.url, 'DELETE', `/api/syncs/${created.body.data.id}`, { key: syncEditor.key });
      assert.ok(removed.status < 300, removed.text);

      // Taking sync_to on connections away from Sync Editor in the built-in policy stops it creating syncs.
      const connections = await call(server.url, 'GET', `/api/permissions/policies/${builtInPolicy.Connections}`, {
        key: server.apiKey,
      });
      const original = connections.body.data.policy_actions;
      const restricted = original.map((grant: { action: string; role_ids: string[] }) =>
        grant.action === 'sync_to'
          ? { action: 'sync_to', role_ids: grant.role_ids.filter((id) => id !== builtIn['Sync Editor']) }
          : grant,
      );
      const changed = await call(server.url, 'PUT', `/api/permissions/policies/${builtInPolicy.Connections}`, {
        key: server.apiKey,
        body: { name: 'Connections', policy_actions: restricted },
      });
      assert.equal(changed.status, 200, changed.text);
      const refused = await call(server.url, 'POST', '/api/syncs', { key: syncEditor.key, body: syncBody(world) });
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.body.metadata.action, 'sync_to');
      // An update that names the target is checked the same way.
      const update = await call(server.url, 'PUT', `/api/syncs/${syncId}`, {
        key: syncEditor.key,
        body: syncBody(world),
      });
      assert.equal(update.status, 403, update.text);
      assert.equal(update.body.metadata.action, 'sync_to');
      // 2023-04-25 updates with PATCH.
      const restored = await call(server.url, 'PATCH', `/api/permissions/policies/${builtInPolicy.Connections}`, {
        key: server.apiKey,
        version: '2023-04-25',
        body: { name: 'Connections', policy_actions: original },
      });
      assert.equal(restored.status, 200, restored.text);
    });

    test('an Admin user may do everything, and a role change takes effect on the next request', async () => {
      const admin = await userKey({ role_ids: [builtIn.Admin] });
      const renamed = await call(server.url, 'PUT', `/api/models/${world.otherModelId}`, {
        key: admin.key,
        body: {
          name: 'Other users (admin)',
          connection_id: world.sourceConnectionId,
          configuration: { table: 'users' },
        },
      });
      assert.equal(renamed.status, 200, renamed.text);
      const run = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, { key: admin.key, body: {} });
      assert.equal(run.status, 200, run.text);
      const role = await call(server.url, 'POST', '/api/permissions/roles', { key: admin.key, body: { name: 'Temp' } });
      assert.equal(role.status, 200, role.text);

      // Demoted to Viewer by another admin: refused at once in this process (the credential cache is cleared).
      const demoted = await call(server.url, 'PUT', `/api/organization/users/${admin.id}`, {
        key: server.apiKey,
        body: { role_ids: [builtIn.Viewer] },
      });
      assert.equal(demoted.status, 200, demoted.text);
      assert.deepEqual(demoted.body.data.role_ids, [builtIn.Viewer]);
      const refused = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, { key: admin.key, body: {} });
      assert.equal(refused.status, 403, refused.text);

      const unknownRole = await call(server.url, 'PUT', `/api/organization/users/${admin.id}`, {
        key: server.apiKey,
        body: { role_ids: ['not-a-role'] },
      });
      assert.equal(unknownRole.status, 422, unknownRole.text);
      assert.equal(unknownRole.body.metadata.field, 'role_ids[0]');
    });

    test('a custom policy on one connection lets a custom role see and edit that one only', async () => {
      const owners = await call(server.url, 'POST', '/api/permissions/roles', {
        key: server.apiKey,
        body: { name: 'Connection owner' },
      });
      const ownerRole = owners.body.data.id;
      const policy = await call(server.url, 'POST', '/api/permissions/policies', {
        key: server.apiKey,
        body: {
          name: 'Owned connection',
          policy_actions: [
            { action: 'read', role_ids: [ownerRole] },
            { action: 'edit', role_ids: [ownerRole] },
            // Not applicable to connections: ignored there.
            { action: 'trigger', role_ids: [ownerRole] },
          ],
        },
      });
      assert.equal(policy.status, 200, policy.text);
      const policyId = policy.body.data.id;

      const unknown = await call(server.url, 'PUT', `/api/connections/${world.filesConnectionId}`, {
        key: server.apiKey,
        body: { name: 'Files target', type: 'files', configuration: { path: '/tmp' }, policies: ['no-such-policy'] },
      });
      assert.equal(unknown.status, 422, unknown.text);
      assert.equal(unknown.body.metadata.field, 'policies[0]');

      const current = await call(server.url, 'GET', `/api/connections/${world.filesConnectionId}`, {
        key: server.apiKey,
      });
      const attach = await call(server.url, 'PUT', `/api/connections/${world.filesConnectionId}`, {
        key: server.apiKey,
        body: {
          name: current.body.data.name,
          type: 'files',
          configuration: current.body.data.configuration,
          policies: [policyId],
        },
      });
      assert.equal(attach.status, 200, attach.text);
      const attached = await call(server.url, 'GET', `/api/connections/${world.filesConnectionId}`, {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.deepEqual(attached.body.data.policies, [policyId]);

      const owner = await userKey({ role_ids: [ownerRole] });
      const listed = await call(server.url, 'GET', '/api/connections', { key: owner.key });
      assert.deepEqual(
        listed.body.data.map((connection: { id: string }) => connection.id),
        [world.filesConnectionId],
      );
      const edited = await call(server.url, 'PUT', `/api/connections/${world.filesConnectionId}`, {
        key: owner.key,
        body: { name: 'Files (owned)', type: 'files', configuration: current.body.data.configuration },
      });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.body.data.name, 'Files (owned)');
      const deleted = await call(server.url, 'DELETE', `/api/connections/${world.filesConnectionId}`, {
        key: owner.key,
      });
      assert.equal(deleted.status, 403, deleted.text);

      // Every other connection does not exist for this user: 404, not 403, on reads, writes and lookups.
      for (const [method, path] of [
        ['GET', `/api/connections/${world.targetConnectionId}`],
        ['PUT', `/api/connections/${world.targetConnectionId}`],
        ['GET', `/api/entities/${world.targetConnectionId}`],
        ['GET', `/api/models/${world.modelId}`],
        ['GET', `/api/syncs/${syncId}`],
        ['GET', `/api/bulk/syncs/${bulkSyncId}`],
      ] as const) {
        const body =
          method === 'PUT' ? { name: 'stolen', type: 'sqlite', configuration: { path: world.targetPath } } : undefined;
        const response = await call(server.url, method, path, { key: owner.key, body });
        assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
      }
      // An execution of a sync the user may not read is as unknown as an id that never existed.
      const execution = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, {
        key: server.apiKey,
        body: {},
      });
      // An earlier test's run of this sync may still be going on a loaded machine: its execution serves as well.
      assert.ok(execution.status === 200 || execution.status === 409, execution.text);
      const executionId = execution.status === 200 ? execution.body.data.id : execution.body.metadata.execution_id;
      const hidden = await call(server.url, 'GET', `/api/entities/${executionId}`, { key: owner.key });
      const never = await call(server.url, 'GET', '/api/entities/00000000-0000-4000-8000-000000000000', {
        key: owner.key,
      });
      assert.equal(hidden.status, 404, hidden.text);
      assert.equal(hidden.body.message, never.body.message);
      const entity = await call(server.url, 'GET', `/api/entities/${world.filesConnectionId}`, { key: owner.key });
      assert.equal(entity.status, 200, entity.text);
      for (const path of ['/api/models', '/api/syncs', '/api/bulk/syncs'])
        assert.deepEqual((await call(server.url, 'GET', path, { key: owner.key })).body.data, [], path);

      // An Editor may not attach a policy whose apply_policy it is not granted.
      const editor = await userKey({ role_ids: [builtIn.Editor] });
      const applied = await call(server.url, 'PUT', `/api/connections/${world.apiConnectionId}`, {
        key: editor.key,
        body: {
          name: 'An API',
          type: 'api',
          configuration: { url: 'https://api.example.invalid' },
          policies: [policyId],
        },
      });
      assert.equal(applied.status, 403, applied.text);
      assert.match(applied.body.message, /Owned connection/);

      // Deleting the policy takes back what it granted, at once.
      const removed = await call(server.url, 'DELETE', `/api/permissions/policies/${policyId}`, { key: server.apiKey });
      assert.equal(removed.status, 204, removed.text);
      const gone = await call(server.url, 'GET', `/api/connections/${world.filesConnectionId}`, { key: owner.key });
      assert.equal(gone.status, 404, gone.text);
    });

    test('a partner key manages the roles of a child organization through organization_id', async () => {
      const child = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { name: `Roles child ${dialect}` },
      });
      const childId = child.body.data.id;
      const created = await call(server.url, 'POST', '/api/permissions/roles', {
        key: server.partnerKey,
        body: { name: 'Child role', organization_id: childId },
      });
      assert.equal(created.status, 200, created.text);
      assert.equal(created.body.data.organization_id, childId);
      const listed = await call(server.url, 'GET', `/api/permissions/roles?organization_id=${childId}`, {
        key: server.partnerKey,
      });
      assert.deepEqual(
        listed.body.data.map((role: { name: string }) => role.name),
        ['Admin', 'Editor', 'Sync Editor', 'Viewer', 'Child role'],
      );
      // Not in the partner's own organization, and not reachable from another organization's key.
      const own = await call(server.url, 'GET', `/api/permissions/roles/${created.body.data.id}`, {
        key: server.apiKey,
      });
      assert.equal(own.status, 404, own.text);
    });
  });
}

describe('the permission table', () => {
  test('a route of a guarded resource without a permission rule stops the server from starting', async () => {
    const route = {
      operationId: 'connections.somethingNew',
      method: 'POST' as const,
      path: '/api/connections/{id}/something-new',
      summary: 'A new route nobody wrote a rule for.',
      access: 'organization' as const,
      handler: async () => undefined,
    };
    // The service is never called while the table is checked.
    const unused = {} as PermissionsService;
    assert.throws(() => guardPermissions([route], unused), /has no permission rule/);
    // Partner-only routes act with full access and need no rule.
    assert.equal(guardPermissions([{ ...route, access: 'partner' }], unused).length, 1);
  });
});
