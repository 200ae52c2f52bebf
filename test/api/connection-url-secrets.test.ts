// An api connection whose URL carries credentials (`http://user:pass@host/base?api_key=…`), secret headers and locked
// query parameters: no response of any version shows them, they are sealed at rest, and an update that sends back
// what a response showed keeps them, which a local upstream sees on the connection test and through the proxy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { startUpstream, type UpstreamServer } from '../proxy/upstream-server.ts';

const secrets = ['s3cr3t-pass', 'k3y-in-query', 'h3ader-key', 't3nant-token', 'b3arer-token'];

describe('secrets inside an api connection URL', () => {
  let server: TestFerry;
  let upstream: UpstreamServer;

  before(async () => {
    upstream = await startUpstream({
      '*': (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('[]'),
    });
    server = await startFerry('sqlite', { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
  });
  after(async () => {
    await server?.close();
    await upstream?.close();
  });

  const configuration = () => ({
    url: `http://reader:s3cr3t-pass@127.0.0.1:${upstream.port}/base?api_key=k3y-in-query&format=json`,
    healthcheck: '/health',
    headers: [
      { name: 'Accept', value: 'application/json' },
      { name: 'X-Api-Key', value: 'h3ader-key' },
    ],
    parameters: [{ name: 'tenant', value: 't3nant-token' }],
    auth: { header: { name: 'X-Session', value: 'b3arer-token' } },
  });
  const redactedUrl = () => `http://reader:****@127.0.0.1:${upstream.port}/base?api_key=****&format=****`;

  function assertNoSecret(text: string, what: string) {
    for (const secret of secrets) assert.ok(!text.includes(secret), `${what} shows ${secret}: ${text}`);
  }

  /** What the upstream saw on the last request: the credentials the stored configuration holds. */
  function lastUpstreamRequest() {
    const request = upstream.requests.at(-1)!;
    const url = new URL(request.url, 'http://upstream');
    return {
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      apiKey: request.headers['x-api-key'],
      session: request.headers['x-session'],
    };
  }

  const stored = {
    authorization: `Basic ${Buffer.from('reader:s3cr3t-pass').toString('base64')}`,
    apiKey: 'h3ader-key',
    session: 'b3arer-token',
    query: { api_key: 'k3y-in-query', format: 'json', tenant: 't3nant-token' },
  };

  for (const version of apiVersions) {
    test(`${version}: create, list and get mask the URL and omit secret values; an update that sends them back keeps them`, async () => {
      const key = server.apiKey;
      const created = await call(server.url, 'POST', '/api/connections', {
        key,
        version,
        body: { name: `API ${version}`, type: 'api', configuration: configuration(), validate: true },
      });
      assert.equal(created.status, 200, created.text);
      assertNoSecret(created.text, 'the create response');
      const id = created.body.data.id;
      const shown = created.body.data.configuration;
      assert.equal(shown.url, redactedUrl());
      assert.deepEqual(shown.headers, [{ name: 'Accept', value: 'application/json' }, { name: 'X-Api-Key' }]);
      assert.deepEqual(shown.parameters, [{ name: 'tenant' }]);
      assert.deepEqual(shown.auth, { header: { name: 'X-Session' } });

      const listed = await call(server.url, 'GET', '/api/connections', { key, version });
      assert.equal(listed.status, 200, listed.text);
      assertNoSecret(listed.text, 'the list');
      const inList = listed.body.data.find((connection: { id: string }) => connection.id === id);
      assert.deepEqual(inList.configuration, shown);
      const fetched = await call(server.url, 'GET', `/api/connections/${id}`, { key, version });
      assert.equal(fetched.status, 200, fetched.text);
      assertNoSecret(fetched.text, 'the get');
      assert.deepEqual(fetched.body.data.configuration, shown);

      const row = await server.ferry.context.repositories.connections.get(server.organizationId, id);
      assertNoSecret(JSON.stringify(row), 'the stored row');

      // The update sends back exactly what GET showed, under a new name; it runs the connection test on the way.
      const before = upstream.requests.length;
      const method = version <= '2023-04-25' ? 'PATCH' : 'PUT';
      const updated = await call(server.url, method, `/api/connections/${id}`, {
        key,
        version,
        body: { name: `API ${version} renamed`, configuration: shown, validate: true },
      });
      assert.equal(updated.status, 200, updated.text);
      assertNoSecret(updated.text, 'the update response');
      assert.equal(updated.body.data.configuration.url, redactedUrl());
      assert.ok(upstream.requests.length > before, 'the update tested the connection against the upstream');
      assert.deepEqual(lastUpstreamRequest(), { path: '/base/health', ...stored });
      const kept = JSON.parse(
        server.ferry.context.secretBox.open(
          (await server.ferry.context.repositories.connections.get(server.organizationId, id))!.configuration_sealed!,
        ),
      );
      assert.deepEqual(kept, { ...configuration() }, 'every stored secret survived the round trip');
    });
  }

  test('the proxy sends the credentials a masked update kept', async () => {
    const created = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'Proxied', type: 'api', configuration: configuration() },
    });
    const id = created.body.data.id;
    const updated = await call(server.url, 'PUT', `/api/connections/${id}`, {
      key: server.apiKey,
      body: { name: 'Proxied', configuration: created.body.data.configuration },
    });
    assert.equal(updated.status, 200, updated.text);
    const proxied = await call(server.url, 'POST', `/api/connections/${id}/proxy`, {
      key: server.apiKey,
      body: { request: { method: 'GET', path: '/people' } },
    });
    assert.equal(proxied.status, 200, proxied.text);
    assertNoSecret(proxied.text, 'the proxy response');
    assert.deepEqual(lastUpstreamRequest(), { path: '/base/people', ...stored });
  });

  test('a masked URL that names another host is refused (422 naming configuration.url), so no credential follows it', async () => {
    const created = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'Moving', type: 'api', configuration: configuration() },
    });
    const id = created.body.data.id;
    const moved = { ...created.body.data.configuration, url: 'http://reader:****@attacker.example/base?api_key=****' };
    const refused = await call(server.url, 'PUT', `/api/connections/${id}`, {
      key: server.apiKey,
      body: { name: 'Moving', configuration: moved },
    });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.metadata?.field, 'configuration.url', refused.text);
    assertNoSecret(refused.text, 'the refusal');

    // The same host with a changed path keeps the masked parts.
    const repathed = {
      ...created.body.data.configuration,
      url: `http://reader:****@127.0.0.1:${upstream.port}/v2?api_key=****&format=****`,
    };
    const accepted = await call(server.url, 'PUT', `/api/connections/${id}`, {
      key: server.apiKey,
      body: { name: 'Moving', configuration: repathed, validate: true },
    });
    assert.equal(accepted.status, 200, accepted.text);
    assert.deepEqual(lastUpstreamRequest(), { path: '/v2/health', ...stored });
    // Responses remember redactions per stored ciphertext: after the update, the list shows the new URL at once.
    const listed = await call(server.url, 'GET', '/api/connections', { key: server.apiKey });
    const shown = listed.body.data.find((connection: { id: string }) => connection.id === id);
    assert.equal(shown.configuration.url, `http://reader:****@127.0.0.1:${upstream.port}/v2?api_key=****&format=****`);
  });

  test('a webhook URL is masked the same way, and its signing secret and auth values are left out', async () => {
    const created = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: {
        name: 'Hook',
        type: 'webhook',
        configuration: {
          url: `http://127.0.0.1:${upstream.port}/hook?token=k3y-in-query`,
          auth_method: 'header',
          header: { name: 'X-Hook-Key', value: 'h3ader-key' },
          headers: [{ name: 'Cookie', value: 'session=t3nant-token' }],
        },
      },
    });
    assert.equal(created.status, 200, created.text);
    assertNoSecret(created.text, 'the webhook create response');
    assert.equal(created.body.data.configuration.url, `http://127.0.0.1:${upstream.port}/hook?token=****`);
    const fetched = await call(server.url, 'GET', `/api/connections/${created.body.data.id}`, { key: server.apiKey });
    assertNoSecret(fetched.text, 'the webhook get');
  });

  test('a connection test with connection_id fills in the masked URL parts from the stored connection', async () => {
    const created = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'Tested', type: 'api', configuration: configuration() },
    });
    const tested = await call(server.url, 'POST', '/api/connections/test', {
      key: server.apiKey,
      body: { type: 'api', connection_id: created.body.data.id, configuration: created.body.data.configuration },
    });
    assert.equal(tested.status, 200, tested.text);
    assert.deepEqual(lastUpstreamRequest(), { path: '/base/health', ...stored });
  });
});
