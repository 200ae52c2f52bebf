// GET /api/versions through HTTP: no key, every version, the changelog from the version changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../../kit/ferry-server.ts';
import { apiVersions } from '../../../src/api/versioning/versions.ts';
import { versionChanges } from '../../../src/api/versioning/changes/index.ts';

describe('GET /api/versions', () => {
  let server: TestFerry;
  before(async () => {
    server = await startFerry('sqlite');
  });
  after(() => server.close());

  test('answers without a key in every version, naming the served version', async () => {
    for (const version of [undefined, ...apiVersions]) {
      const response = await call(server.url, 'GET', '/api/versions', { version });
      assert.equal(response.status, 200, String(version));
      assert.equal(response.headers.get('x-polytomic-version'), version ?? '2025-09-18');
      assert.equal(response.body.data.default_version, '2025-09-18');
      assert.deepEqual(
        response.body.data.versions.map((entry: { version: string }) => entry.version),
        [...apiVersions],
      );
    }
  });

  test('each version is described against the next newer one, in the words of its version change', async () => {
    const { body } = await call(server.url, 'GET', '/api/versions');
    const [newest, ...older] = body.data.versions;
    assert.deepEqual(newest, {
      version: '2025-09-18',
      default: true,
      newer_version: null,
      deprecated_since: null,
      sunset: null,
      summary: null,
      rules: [],
      differences: [],
    });
    for (const [index, entry] of older.entries()) {
      const change = versionChanges.find((candidate) => candidate.version === entry.version)!;
      assert.equal(entry.default, false);
      assert.equal(entry.newer_version, apiVersions[index]);
      assert.equal(entry.deprecated_since, apiVersions[index]);
      assert.equal(entry.sunset, null);
      assert.equal(entry.summary, change.description);
      assert.deepEqual(entry.rules, change.rules ?? []);
      assert.equal(entry.differences.length, change.instructions.length);
    }
    const v2024 = older.find((entry: { version: string }) => entry.version === '2024-02-08');
    assert.ok(v2024.differences.includes('`GET /api/organization` does not exist in this version (added later).'));
    assert.ok(v2024.differences.includes('`GET /api/organizations` admits any valid key here.'));
  });

  test('an invalid key does not matter, and the OpenAPI documents mark it as a Ferry extension', async () => {
    const response = await call(server.url, 'GET', '/api/versions', { key: 'not-a-key' });
    assert.equal(response.status, 200);
    for (const version of apiVersions) {
      const document = (await call(server.url, 'GET', `/api/openapi.json?version=${version}`)).body;
      const operation = document.paths['/api/versions'].get;
      assert.equal(operation['x-ferry-extension'], true);
      assert.deepEqual(operation.security, []);
      assert.equal(document.paths['/api/connections'].get['x-ferry-extension'], undefined);
    }
  });
});
