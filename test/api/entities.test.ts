import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

for (const dialect of await availableDialects()) {
  describe(`entity lookup (${dialect})`, () => {
    let server: TestFerry;
    before(async () => {
      server = await startFerry(dialect);
    });
    after(() => server.close());

    test('an organization-scoped lookup resolves a user, without organization_id, to a path it can GET', async () => {
      const response = await call(server.url, 'GET', `/api/entities/${server.userId}`, { key: server.apiKey });
      assert.equal(response.status, 200);
      assert.deepEqual(response.body.data, {
        id: server.userId,
        type: 'user',
        canonical_path: `/api/organization/users/${server.userId}`,
        relationships: { organization: { id: server.organizationId, path: '/api/organization' } },
      });
      const followed = await call(server.url, 'GET', response.body.data.canonical_path, { key: server.apiKey });
      assert.equal(followed.status, 200);
      assert.equal(followed.body.data.id, server.userId);
    });

    test('an entity deleted through the API is gone from the lookup at once, although found entities are cached', async () => {
      const user = (
        await call(server.url, 'POST', '/api/organization/users', {
          key: server.apiKey,
          body: { email: 'cached@entity.example' },
        })
      ).body.data;
      for (let attempt = 0; attempt < 2; attempt++) {
        assert.equal(
          (await call(server.url, 'GET', `/api/entities/${user.id}`, { key: server.apiKey })).body.data.type,
          'user',
        );
      }
      assert.equal(
        (await call(server.url, 'DELETE', `/api/organization/users/${user.id}`, { key: server.apiKey })).status < 300,
        true,
      );
      assert.equal((await call(server.url, 'GET', `/api/entities/${user.id}`, { key: server.apiKey })).status, 404);
    });

    test('a partner lookup includes organization_id and partner paths', async () => {
      const child = (
        await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Entity child' } })
      ).body.data;
      const user = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users`, {
          key: server.partnerKey,
          body: { email: 'e@child.example' },
        })
      ).body.data;
      const response = await call(server.url, 'GET', `/api/organizations/entities/${user.id}`, {
        key: server.partnerKey,
      });
      assert.deepEqual(response.body.data, {
        id: user.id,
        type: 'user',
        organization_id: child.id,
        canonical_path: `/api/organizations/${child.id}/users/${user.id}`,
        relationships: { organization: { id: child.id, path: `/api/organizations/${child.id}` } },
      });
      assert.equal(
        (await call(server.url, 'GET', response.body.data.canonical_path, { key: server.partnerKey })).status,
        200,
      );
      const organization = await call(server.url, 'GET', `/api/organizations/entities/${child.id}`, {
        key: server.partnerKey,
      });
      assert.equal(organization.body.data.type, 'organization');
      assert.equal(organization.body.data.canonical_path, `/api/organizations/${child.id}`);
    });

    test('unknown ids are 404; the partner route needs a partner key; 2024-02-08 has no entity lookup', async () => {
      assert.equal(
        (await call(server.url, 'GET', '/api/entities/00000000-0000-4000-8000-000000000000', { key: server.apiKey }))
          .status,
        404,
      );
      assert.equal(
        (await call(server.url, 'GET', `/api/organizations/entities/${server.userId}`, { key: server.apiKey })).status,
        403,
      );
      const older = await call(server.url, 'GET', `/api/entities/${server.userId}`, {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.equal(older.status, 404);
      assert.equal(older.body.key, 'route_not_found');
    });
  });
}
