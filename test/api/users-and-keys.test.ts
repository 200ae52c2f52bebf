import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

for (const dialect of await availableDialects()) {
  describe(`users and API keys (${dialect})`, () => {
    let server: TestFerry;
    let childId: string;
    before(async () => {
      server = await startFerry(dialect);
      childId = (
        await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Child' } })
      ).body.data.id;
    });
    after(() => server.close());

    test('an organization-scoped key manages its own users on /api/organization/users', async () => {
      const created = await call(server.url, 'POST', '/api/organization/users', {
        key: server.apiKey,
        body: { email: 'Ann@Example.com', role: 'user' },
      });
      assert.equal(created.status, 200);
      assert.deepEqual(created.body.data, {
        id: created.body.data.id,
        email: 'ann@example.com',
        organization_id: server.organizationId,
        role: 'user',
        role_ids: [],
      });
      const id = created.body.data.id;

      const listed = await call(server.url, 'GET', '/api/organization/users', { key: server.apiKey });
      assert.deepEqual(listed.body.data.map((user: { email: string }) => user.email).sort(), [
        'admin@localhost',
        'ann@example.com',
      ]);

      // role_ids name roles of the organization (docs/permissions.md): here the built-in Viewer.
      const roles = await call(server.url, 'GET', '/api/permissions/roles', { key: server.apiKey });
      const viewer = roles.body.data.find((role: { name: string }) => role.name === 'Viewer').id;
      const unknown = await call(server.url, 'PUT', `/api/organization/users/${id}`, {
        key: server.apiKey,
        body: { role_ids: ['role-1'] },
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.metadata.field, 'role_ids[0]');
      const updated = await call(server.url, 'PUT', `/api/organization/users/${id}`, {
        key: server.apiKey,
        body: { role_ids: [viewer] },
      });
      assert.equal(updated.status, 200);
      assert.deepEqual(updated.body.data.role_ids, [viewer]);
      assert.equal(updated.body.data.role, undefined);

      const fetched = await call(server.url, 'GET', `/api/organization/users/${id}`, { key: server.apiKey });
      assert.deepEqual(fetched.body.data, updated.body.data);

      const removed = await call(server.url, 'DELETE', `/api/organization/users/${id}`, { key: server.apiKey });
      assert.equal(removed.status, 200);
      assert.equal(removed.body.data.id, id, 'DELETE returns the deleted user');
      assert.equal(
        (await call(server.url, 'GET', `/api/organization/users/${id}`, { key: server.apiKey })).status,
        404,
      );
    });

    test('user input is validated and the field at fault is named', async () => {
      const cases: Array<[unknown, string]> = [
        [{ email: 'not-an-email' }, 'email'],
        [{}, 'email'],
        [{ email: 'a@example.com', role: 'admin', role_ids: ['r'] }, 'role'],
        [{ email: 'b@example.com', role_ids: [] }, 'role_ids'],
        [{ email: 'c@example.com', role: 'superuser' }, 'role'],
        [{ email: 'admin@localhost' }, 'email'],
      ];
      for (const [body, field] of cases) {
        const response = await call(server.url, 'POST', '/api/organization/users', { key: server.apiKey, body });
        assert.equal(response.status, 422, JSON.stringify(body));
        assert.equal(response.body.metadata.field, field, JSON.stringify(body));
      }
    });

    test('a user cannot delete itself', async () => {
      const response = await call(server.url, 'DELETE', `/api/organization/users/${server.userId}`, {
        key: server.apiKey,
      });
      assert.equal(response.status, 403);
    });

    test('a partner manages users of its organizations on the plural routes', async () => {
      const created = await call(server.url, 'POST', `/api/organizations/${childId}/users`, {
        key: server.partnerKey,
        body: { email: 'bo@child.example' },
      });
      assert.equal(created.status, 200);
      assert.equal(created.body.data.organization_id, childId);
      const id = created.body.data.id;
      const updated = await call(server.url, 'PUT', `/api/organizations/${childId}/users/${id}`, {
        key: server.partnerKey,
        body: { email: 'bo2@child.example', role: 'admin' },
      });
      assert.equal(updated.body.data.email, 'bo2@child.example');
      assert.equal(updated.body.data.role, 'admin');
      const listed = await call(server.url, 'GET', `/api/organizations/${childId}/users`, { key: server.partnerKey });
      assert.deepEqual(
        listed.body.data.map((user: { id: string }) => user.id),
        [id],
      );
      assert.equal(
        (await call(server.url, 'GET', `/api/organizations/${childId}/users/${id}`, { key: server.partnerKey })).body
          .data.id,
        id,
      );
      assert.equal(
        (await call(server.url, 'DELETE', `/api/organizations/${childId}/users/${id}`, { key: server.partnerKey })).body
          .data.id,
        id,
      );
      assert.equal(
        (await call(server.url, 'GET', `/api/organizations/${childId}/users/${id}`, { key: server.partnerKey })).status,
        404,
      );
    });

    test('the plural routes reject organization-scoped keys in 2025-09-18 and admit them on their own organization in 2024-02-08', async () => {
      const newest = await call(server.url, 'GET', `/api/organizations/${server.organizationId}/users`, {
        key: server.apiKey,
      });
      assert.equal(newest.status, 403);
      assert.equal(newest.body.key, 'partner_key_required');
      const own = await call(server.url, 'GET', `/api/organizations/${server.organizationId}/users`, {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.equal(own.status, 200);
      assert.ok(own.body.data.some((user: { id: string }) => user.id === server.userId));
      const created = await call(server.url, 'POST', `/api/organizations/${server.organizationId}/users`, {
        key: server.apiKey,
        version: '2024-02-08',
        body: { email: 'legacy@example.com' },
      });
      assert.equal(created.status, 200);
      const other = await call(server.url, 'GET', `/api/organizations/${childId}/users`, {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.equal(other.status, 404, "another organization's users are not found, not forbidden");
    });

    test('a partner issues a user key that acts as the user; force replaces it', async () => {
      const user = (
        await call(server.url, 'POST', `/api/organizations/${childId}/users`, {
          key: server.partnerKey,
          body: { email: 'keyed@child.example' },
        })
      ).body.data;
      const issued = await call(server.url, 'POST', `/api/organizations/${childId}/users/${user.id}/keys`, {
        key: server.partnerKey,
      });
      assert.equal(issued.status, 200);
      const firstKey = issued.body.data.value;
      assert.match(firstKey, /^ferry_sk_/);
      const me = await call(server.url, 'GET', '/api/me', { key: firstKey });
      assert.equal(me.body.data.id, user.id);
      assert.equal(me.body.data.organization_id, childId);
      assert.equal(me.body.data.organization_name, 'Child');

      const again = await call(server.url, 'POST', `/api/organizations/${childId}/users/${user.id}/keys`, {
        key: server.partnerKey,
      });
      assert.equal(again.status, 409);
      const forced = await call(server.url, 'POST', `/api/organizations/${childId}/users/${user.id}/keys?force=true`, {
        key: server.partnerKey,
      });
      assert.equal(forced.status, 200);
      assert.equal(
        (await call(server.url, 'GET', '/api/me', { key: firstKey })).status,
        401,
        'the replaced key stops working',
      );
      assert.equal((await call(server.url, 'GET', '/api/me', { key: forced.body.data.value })).status, 200);

      const stored = await server.ferry.context.repositories.apiKeys.list({ includeRevoked: true });
      assert.ok(
        stored.every((row) => row.key_hash !== forced.body.data.value),
        'keys are stored hashed',
      );

      await call(server.url, 'DELETE', `/api/organizations/${childId}/users/${user.id}`, { key: server.partnerKey });
      assert.equal(
        (await call(server.url, 'GET', '/api/me', { key: forced.body.data.value })).status,
        401,
        "a deleted user's key stops working",
      );
    });

    test('only partners issue keys', async () => {
      const response = await call(
        server.url,
        'POST',
        `/api/organizations/${server.organizationId}/users/${server.userId}/keys`,
        { key: server.apiKey, version: '2024-02-08' },
      );
      assert.equal(response.status, 403);
    });
  });
}
