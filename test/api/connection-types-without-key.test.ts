// GET /api/connection_types (the list and one type) answers without a key in every version that has it; a key that
// is sent is still checked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import { versionChanges } from '../../src/api/versioning/changes/index.ts';
import { endpointExists } from '../../src/api/versioning/migrate.ts';

const routes = ['GET /api/connection_types', 'GET /api/connection_types/{id}'];

describe('connection types without a key', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite');
  });
  after(() => server.close());

  const versionsWithRoutes = apiVersions.filter((version) =>
    routes.every((route) => endpointExists(route, version, versionChanges)),
  );

  test('every version has both routes', () => {
    assert.deepEqual(versionsWithRoutes, [...apiVersions]);
  });

  for (const version of versionsWithRoutes) {
    test(`${version}: the list and one type answer the same with and without a key`, async () => {
      const anonymous = await call(server.url, 'GET', '/api/connection_types', { version });
      assert.equal(anonymous.status, 200);
      assert.equal(anonymous.headers.get('x-polytomic-version'), version);
      const withKey = await call(server.url, 'GET', '/api/connection_types', { version, key: server.apiKey });
      assert.equal(withKey.status, 200);
      assert.deepEqual(anonymous.body, withKey.body);
      const type = anonymous.body.data[0].id;
      assert.ok(type);
      const one = await call(server.url, 'GET', `/api/connection_types/${type}`, { version });
      assert.equal(one.status, 200);
      assert.equal(one.body.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.deepEqual(
        one.body,
        (await call(server.url, 'GET', `/api/connection_types/${type}`, { version, key: server.apiKey })).body,
      );
      const unknown = await call(server.url, 'GET', '/api/connection_types/no-such-type', { version });
      assert.equal(unknown.status, 404);
    });

    test(`${version}: a wrong key is still a 401, and other routes still need a key`, async () => {
      for (const path of ['/api/connection_types', `/api/connection_types/postgresql`]) {
        const response = await call(server.url, 'GET', path, { version, key: 'not-a-key' });
        assert.equal(response.status, 401, path);
      }
      assert.equal((await call(server.url, 'GET', '/api/connections', { version })).status, 401);
      assert.equal((await call(server.url, 'GET', '/api/me', { version })).status, 401);
    });
  }

  test('the OpenAPI documents make the key optional on both routes only', async () => {
    const document = (await call(server.url, 'GET', '/api/openapi.json')).body;
    assert.deepEqual(document.paths['/api/connection_types'].get.security, [{}, { bearer: [] }]);
    assert.deepEqual(document.paths['/api/connection_types/{id}'].get.security, [{}, { bearer: [] }]);
    assert.deepEqual(document.paths['/api/connections'].get.security, [{ bearer: [] }]);
  });
});
