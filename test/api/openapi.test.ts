import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

describe('OpenAPI documents per version', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite');
  });
  after(() => server.close());

  test('the default document is 2025-09-18 and has the 2025-only routes', async () => {
    const response = await call(server.url, 'GET', '/api/openapi.json');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-polytomic-version'), '2025-09-18');
    const document = response.body;
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.info.version, '2025-09-18');
    assert.ok(document.paths['/api/organization'].get);
    assert.ok(document.paths['/api/entities/{id}'].get);
    assert.equal(document.paths['/api/organizations/{id}'].put.operationId, 'organization.update');
    assert.deepEqual(document.paths['/api/me'].get.responses['200'].content['application/json'].schema, {
      $ref: '#/components/schemas/GetIdentityResponseEnvelope',
    });
    assert.ok(document.components.schemas.User.properties.role_ids);
    assert.deepEqual(document.paths['/api/me'].get.responses['401'].content['application/json'].schema, {
      $ref: '#/components/schemas/ApiError',
    });
  });

  test('the 2024-02-08 document, by header or query, lacks 2025-only routes and documents RestErrResponse', async () => {
    for (const options of [
      { path: '/api/openapi.json', version: '2024-02-08' },
      { path: '/api/openapi.json?version=2024-02-08' },
    ]) {
      const response = await call(server.url, 'GET', options.path, { version: options.version });
      assert.equal(response.headers.get('x-polytomic-version'), '2024-02-08');
      const document = response.body;
      assert.equal(document.info.version, '2024-02-08');
      assert.equal(document.paths['/api/organization'], undefined);
      assert.equal(document.paths['/api/entities/{id}'], undefined);
      assert.ok(document.paths['/api/organizations/{org_id}/users'].get);
      assert.equal(document.paths['/api/organizations/{org_id}/users'].get['x-ferry-access'], 'any');
      assert.equal(
        document.paths['/api/me'].get.responses['401'].content['application/json'].schema.$ref,
        '#/components/schemas/RestErrResponse',
      );
    }
  });

  test('the 2023-04-25 document updates with PATCH', async () => {
    const document = (await call(server.url, 'GET', '/api/openapi.json?version=2023-04-25')).body;
    assert.ok(document.paths['/api/organizations/{id}'].patch);
    assert.equal(document.paths['/api/organizations/{id}'].put, undefined);
  });

  test('an unknown version is a 400', async () => {
    const response = await call(server.url, 'GET', '/api/openapi.json?version=2019-01-01');
    assert.equal(response.status, 400);
    assert.equal(response.body.metadata.field, 'version');
  });
});
