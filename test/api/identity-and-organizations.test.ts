import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

for (const dialect of await availableDialects()) {
  describe(`identity, versions and organizations (${dialect})`, () => {
    let server: TestFerry;
    before(async () => {
      server = await startFerry(dialect);
    });
    after(() => server.close());

    test('GET /api/me names the user and the serving version', async () => {
      const response = await call(server.url, 'GET', '/api/me', { key: server.apiKey });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-polytomic-version'), '2025-09-18');
      assert.deepEqual(response.body.data, {
        id: server.userId,
        email: 'admin@localhost',
        is_user: true,
        is_organization: false,
        is_partner: false,
        is_system: false,
        organization_id: server.organizationId,
        organization_name: 'Default organization',
        role: 'admin',
      });
    });

    test('GET /api/me with a partner key has no user id', async () => {
      const response = await call(server.url, 'GET', '/api/me', { key: server.partnerKey });
      assert.equal(response.status, 200);
      assert.equal(response.body.data.is_partner, true);
      assert.equal(response.body.data.id, undefined);
      assert.equal(response.body.data.organization_id, server.organizationId);
    });

    test('every supported version is accepted and echoed', async () => {
      for (const version of ['2025-09-18', '2024-02-08', '2023-04-25', '2022-12-12', '2021-05-23']) {
        const response = await call(server.url, 'GET', '/api/me', { key: server.apiKey, version });
        assert.equal(response.status, 200, version);
        assert.equal(response.headers.get('x-polytomic-version'), version);
      }
    });

    test('an unsupported or malformed version is a 400 listing the supported ones', async () => {
      for (const version of ['2020-01-01', 'latest', '2025-9-18']) {
        const response = await call(server.url, 'GET', '/api/me', { key: server.apiKey, version });
        assert.equal(response.status, 400, version);
        assert.equal(response.headers.get('x-polytomic-version'), '2025-09-18');
        assert.equal(response.body.key, 'unsupported_version');
        assert.deepEqual(response.body.metadata.supported_versions, [
          '2025-09-18',
          '2024-02-08',
          '2023-04-25',
          '2022-12-12',
          '2021-05-23',
        ]);
      }
    });

    test('a missing key is a 401: ApiError in 2025-09-18, RestErrResponse in 2024-02-08 and older', async () => {
      const newest = await call(server.url, 'GET', '/api/me');
      assert.equal(newest.status, 401);
      assert.deepEqual(newest.body, { status: 401, message: 'Missing Authorization header.', key: 'unauthorized' });
      for (const version of ['2024-02-08', '2021-05-23']) {
        const older = await call(server.url, 'GET', '/api/me', { version, key: 'not-a-key' });
        assert.equal(older.status, 401);
        assert.equal(older.headers.get('x-polytomic-version'), version);
        assert.deepEqual(older.body, { code: 401, error: 'Invalid or revoked API key.', status: 'Unauthorized' });
      }
    });

    test('unknown routes are 404 with the version header', async () => {
      const response = await call(server.url, 'GET', '/api/does-not-exist', {
        key: server.apiKey,
        version: '2024-02-08',
      });
      assert.equal(response.status, 404);
      assert.equal(response.headers.get('x-polytomic-version'), '2024-02-08');
      assert.equal(response.body.key, 'route_not_found');
    });

    test('a 2025-09-18-only route is 404 in 2024-02-08', async () => {
      assert.equal((await call(server.url, 'GET', '/api/organization', { key: server.apiKey })).status, 200);
      const older = await call(server.url, 'GET', '/api/organization', { key: server.apiKey, version: '2024-02-08' });
      assert.equal(older.status, 404);
      assert.equal(older.body.key, 'route_not_found');
    });

    test('malformed JSON is a 400, not a 500', async () => {
      const response = await fetch(`${server.url}/api/organizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.partnerKey}`, 'content-type': 'application/json' },
        body: '{"name": ',
      });
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { key: string }).key, 'invalid_json');
    });

    test("GET /api/organization is the caller's organization", async () => {
      const response = await call(server.url, 'GET', '/api/organization', { key: server.apiKey });
      assert.deepEqual(response.body, { data: { id: server.organizationId, name: 'Default organization' } });
    });

    test('a partner creates, reads, updates, lists and deletes organizations', async () => {
      const created = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { name: 'Acme', sso_domain: 'acme.example', client_secret: 's3cret' },
      });
      assert.equal(created.status, 200);
      assert.equal(created.body.data.name, 'Acme');
      assert.equal(created.body.data.sso_domain, 'acme.example');
      assert.equal(created.body.data.client_secret, undefined, 'secrets are never returned');
      const id = created.body.data.id;

      const stored = await server.ferry.context.repositories.organizations.get(id);
      assert.ok(
        stored?.client_secret_sealed && !stored.client_secret_sealed.includes('s3cret'),
        'the secret is sealed at rest',
      );
      assert.equal(server.ferry.context.secretBox.open(stored!.client_secret_sealed!), 's3cret');

      const fetched = await call(server.url, 'GET', `/api/organizations/${id}`, { key: server.partnerKey });
      assert.deepEqual(fetched.body.data, created.body.data);

      const updated = await call(server.url, 'PUT', `/api/organizations/${id}`, {
        key: server.partnerKey,
        body: { name: 'Acme Corp' },
      });
      assert.equal(updated.status, 200);
      assert.deepEqual(updated.body.data, { id, name: 'Acme Corp' }, 'SSO settings are replaced in full');

      const listed = await call(server.url, 'GET', '/api/organizations', { key: server.partnerKey });
      assert.equal(listed.body.data[0].id, server.organizationId, 'the owner organization comes first');
      assert.ok(listed.body.data.some((organization: { id: string }) => organization.id === id));

      const removed = await call(server.url, 'DELETE', `/api/organizations/${id}`, { key: server.partnerKey });
      assert.equal(removed.status, 204);
      assert.equal((await call(server.url, 'GET', `/api/organizations/${id}`, { key: server.partnerKey })).status, 404);
    });

    test('organization names are unique per partner and required', async () => {
      const first = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { name: 'Unique Co' },
      });
      assert.equal(first.status, 200);
      const duplicate = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { name: 'Unique Co' },
      });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.metadata.field, 'name');
      const missing = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { sso_domain: 'x.example' },
      });
      assert.equal(missing.status, 422);
      assert.equal(missing.body.metadata.field, 'name');
      assert.match(missing.body.message, /name/);
      const wrongType = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { name: 42 },
      });
      assert.equal(wrongType.status, 422);
      assert.equal(wrongType.body.metadata.field, 'name');
    });

    test('the owner organization cannot be deleted', async () => {
      const response = await call(server.url, 'DELETE', `/api/organizations/${server.organizationId}`, {
        key: server.partnerKey,
      });
      assert.equal(response.status, 403);
    });

    test('organization-scoped keys cannot manage organizations; 2024-02-08 lists only their own', async () => {
      const create = await call(server.url, 'POST', '/api/organizations', {
        key: server.apiKey,
        body: { name: 'Nope' },
      });
      assert.equal(create.status, 403);
      assert.equal(create.body.key, 'partner_key_required');
      assert.equal((await call(server.url, 'GET', '/api/organizations', { key: server.apiKey })).status, 403);
      const older = await call(server.url, 'GET', '/api/organizations', { key: server.apiKey, version: '2024-02-08' });
      assert.equal(older.status, 200);
      assert.deepEqual(
        older.body.data.map((organization: { id: string }) => organization.id),
        [server.organizationId],
      );
    });

    test('2023-04-25 and older update with PATCH, not PUT', async () => {
      const created = await call(server.url, 'POST', '/api/organizations', {
        key: server.partnerKey,
        body: { name: 'Patchable' },
      });
      const id = created.body.data.id;
      for (const version of ['2023-04-25', '2022-12-12', '2021-05-23']) {
        const patched = await call(server.url, 'PATCH', `/api/organizations/${id}`, {
          key: server.partnerKey,
          version,
          body: { name: `Patched ${version}` },
        });
        assert.equal(patched.status, 200, version);
        assert.equal(patched.body.data.name, `Patched ${version}`);
        assert.equal(
          (
            await call(server.url, 'PUT', `/api/organizations/${id}`, {
              key: server.partnerKey,
              version,
              body: { name: 'x' },
            })
          ).status,
          404,
        );
      }
      assert.equal(
        (await call(server.url, 'PATCH', `/api/organizations/${id}`, { key: server.partnerKey, body: { name: 'y' } }))
          .status,
        404,
      );
    });
  });
}
