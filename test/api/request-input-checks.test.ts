// Inputs that were accepted and then failed or were ignored later: output names the destination cannot create
// (refused with 422 naming the field, by the destination connector's identifier rules), a data cutoff that is not a
// timestamp (422), and integer query parameters given as `1.5` (400 naming the parameter, in every version).
import type { ReadBack } from '../kit/read-back.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import { apiWorldEnv, createApiWorld, pathValue, type ApiWorld } from './fuzz/api-world.ts';

describe('request input checks', () => {
  let server: TestFerry;
  let world: ApiWorld;

  before(async () => {
    server = await startFerry('sqlite', apiWorldEnv);
    world = await createApiWorld(server);
  });
  after(async () => {
    await server.close();
    world.remove();
  });

  const schemaPath = () => `/api/bulk/syncs/${world.bulkSyncId}/schemas/${world.schemaId}`;
  const put = (body: unknown, path = schemaPath()) => call(server.url, 'PUT', path, { key: server.apiKey, body });

  function assertFieldError(
    response: { status: number; body: ReadBack; text: string },
    status: number,
    field: string,
    pattern: RegExp,
  ) {
    assert.equal(response.status, status, response.text);
    assert.equal(response.body.metadata?.field, field, response.text);
    assert.match(response.body.message, pattern);
  }

  test('a bulk schema output name past the destination limit is a 422 naming the field, and nothing is stored', async () => {
    // SQLite's cap is 1 KiB: a 300-character name fits, a 100 KB one does not.
    const fits = await put({ user_output_name: 'n'.repeat(300) });
    assert.equal(fits.status, 200, fits.text);
    assert.equal(fits.body.data.output_name, 'n'.repeat(300));
    assertFieldError(await put({ user_output_name: 'x'.repeat(100_000) }), 422, 'user_output_name', /1024 bytes/);
    assertFieldError(await put({ user_output_name: '' }), 422, 'user_output_name', /empty/);
    assertFieldError(await put({ user_output_name: 'a.b' }), 422, 'user_output_name', /"\."/);
    assertFieldError(
      await put({ fields: [{ id: 'name', user_output_name: 'y'.repeat(2000) }] }),
      422,
      'fields[0].user_output_name',
      /1024 bytes/,
    );
    const stored = await call(server.url, 'GET', schemaPath(), { key: server.apiKey });
    assert.equal(stored.body.data.output_name, 'n'.repeat(300));
  });

  test('PATCH of several schemas names the schema whose output name is refused, and changes none', async () => {
    const path = `/api/bulk/syncs/${world.bulkSyncId}/schemas`;
    const refused = await call(server.url, 'PATCH', path, {
      key: server.apiKey,
      body: { schemas: [{ id: world.schemaId, user_output_name: 'z'.repeat(5000) }] },
    });
    assertFieldError(refused, 422, 'schemas[0].user_output_name', /1024 bytes/);
  });

  test('bulk sync create and update check schemas[].user_output_name and its fields', async () => {
    const body = (schema: Record<string, unknown>) => ({
      name: 'Names',
      source_connection_id: world.sourceConnectionId,
      destination_connection_id: world.destinationConnectionId,
      destination_configuration: {},
      default_schedule: { frequency: 'manual' },
      schemas: [{ id: world.schemaId, ...schema }],
    });
    const long = 'w'.repeat(1025);
    assertFieldError(
      await call(server.url, 'POST', '/api/bulk/syncs', { key: server.apiKey, body: body({ user_output_name: long }) }),
      422,
      'schemas[0].user_output_name',
      /1024 bytes/,
    );
    assertFieldError(
      await call(server.url, 'PUT', `/api/bulk/syncs/${world.bulkSyncId}`, {
        key: server.apiKey,
        body: body({ fields: ['id', { id: 'name', user_output_name: long }] }),
      }),
      422,
      'schemas[0].fields[1].user_output_name',
      /1024 bytes/,
    );
  });

  test('PostgreSQL and MySQL destinations: their own limits, in bytes and in characters', async (t) => {
    const pgSkip = await postgresUnavailable();
    const destinations: Array<[type: string, configuration: Record<string, unknown>]> = [
      ['mysql', { hostname: '127.0.0.1', port: 3306, dbname: 'mysql', account: 'root', ssl: false }],
    ];
    if (!pgSkip)
      destinations.unshift([
        'postgresql',
        { hostname: '127.0.0.1', port: 5432, database: 'test', username: 'postgres', ssl: false },
      ]);
    else t.diagnostic(`PostgreSQL part skipped: ${pgSkip}`);
    for (const [type, configuration] of destinations) {
      const connection = await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: `${type} destination`, type, configuration },
      });
      assert.equal(connection.status, 200, connection.text);
      const sync = await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: {
          name: `Into ${type}`,
          source_connection_id: world.sourceConnectionId,
          destination_connection_id: connection.body.data.id,
          destination_configuration: {},
          default_schedule: { frequency: 'manual' },
          schemas: [world.schemaId],
        },
      });
      assert.equal(sync.status, 200, sync.text);
      const path = `/api/bulk/syncs/${sync.body.data.id}/schemas/${world.schemaId}`;
      if (type === 'postgresql') {
        // 63 bytes: 63 ASCII characters fit, 32 two-byte characters (64 bytes) do not, nor does the 300-character name.
        assert.equal((await put({ user_output_name: 'p'.repeat(63) }, path)).status, 200);
        assertFieldError(await put({ user_output_name: 'é'.repeat(32) }, path), 422, 'user_output_name', /63 bytes/);
        assertFieldError(await put({ user_output_name: 'p'.repeat(300) }, path), 422, 'user_output_name', /63 bytes/);
      } else {
        // 64 characters, whatever their bytes; no trailing space.
        assert.equal((await put({ user_output_name: 'é'.repeat(64) }, path)).status, 200);
        assertFieldError(await put({ user_output_name: 'm'.repeat(65) }, path), 422, 'user_output_name', /64 char/);
        assertFieldError(await put({ user_output_name: 'trailing ' }, path), 422, 'user_output_name', /space/);
      }
    }
  });

  test('data_cutoff_timestamp must be a date-time: 422 naming it; a real one is kept', async () => {
    assertFieldError(await put({ data_cutoff_timestamp: 'not-a-date' }), 422, 'data_cutoff_timestamp', /date-time/);
    const kept = await put({ data_cutoff_timestamp: '2025-06-01T00:00:00Z' });
    assert.equal(kept.status, 200, kept.text);
    assert.equal(kept.body.data.data_cutoff_timestamp, '2025-06-01T00:00:00Z');
  });

  test("paths the router refuses (bad percent-encoding, a parameter past 2048 characters) get the API's error shape", async () => {
    for (const path of ['/api/connections/%E2%82', `/api/connections/${'x'.repeat(3000)}`]) {
      for (const version of ['2025-09-18', '2021-05-23']) {
        const response = await call(server.url, 'GET', path, { key: server.apiKey, version });
        assert.equal(response.status, 400, response.text);
        assert.equal(response.body.status, 400, response.text);
        assert.equal(response.body.key, 'bad_request', response.text);
        assert.equal(typeof response.body.message, 'string');
        assert.equal(response.headers.get('x-polytomic-version'), version);
      }
    }
  });

  for (const version of apiVersions) {
    test(`${version}: every integer query parameter refuses 1.5 with a 400 naming it, and takes 5`, async () => {
      const document = (await call(server.url, 'GET', `/api/openapi.json?version=${version}`)).body;
      const limits: string[] = [];
      for (const [template, operations] of Object.entries<Record<string, ReadBack>>(document.paths)) {
        const path = template.replace(/\{([^}]+)\}/g, (_match, name: string) => pathValue(world, template, name));
        for (const [method, operation] of Object.entries(operations)) {
          for (const parameter of operation.parameters) {
            if (parameter.in !== 'query' || parameter.schema?.type !== 'integer') continue;
            // 2024-02-08 and older list model syncs unpaginated and ignore limit (their version change says so).
            if (version !== '2025-09-18' && template === '/api/syncs') continue;
            const where = `${method.toUpperCase()} ${template}?${parameter.name}`;
            for (const bad of ['1.5', '0x10', '1e1', ' 5']) {
              const refused = await call(
                server.url,
                method.toUpperCase(),
                `${path}?${parameter.name}=${encodeURIComponent(bad)}`,
                { key: server.apiKey, version },
              );
              assert.equal(refused.status, 400, `${where}=${bad}: ${refused.text}`);
              assert.equal(refused.body.metadata?.field, parameter.name, where);
            }
            const taken = await call(server.url, method.toUpperCase(), `${path}?${parameter.name}=5`, {
              key: server.apiKey,
              version,
            });
            assert.notEqual(taken.status, 400, `${where}=5: ${taken.text}`);
            if (parameter.name === 'limit') limits.push(where);
          }
        }
      }
      // The six routes the issue found taking limit=1.5, plus the event list and the webhook deliveries.
      if (version === '2025-09-18')
        assert.deepEqual(limits.sort(), [
          'GET /api/bulk/syncs/{id}/executions?limit',
          'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/consolelog?limit',
          'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/schemas/{schema_id}/consolelog?limit',
          'GET /api/connections/{id}/schemas/{schema_id}/records?limit',
          'GET /api/events?limit',
          'GET /api/syncs/{sync_id}/executions/{id}/consolelog?limit',
          'GET /api/syncs?limit',
          'GET /api/webhooks/{id}/deliveries?limit',
        ]);
    });
  }
});
