// The connection proxy through the REST API, against a real upstream on 127.0.0.1: every limit the API specifies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

describe('connection proxy over HTTP', () => {
  let upstream: Server;
  let upstreamUrl: string;
  const seen: Seen[] = [];
  let server: TestFerry;
  let connectionId: string;

  before(async () => {
    upstream = createServer((request, response) => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers });
      const url = new URL(request.url!, 'http://upstream');
      request.resume();
      const route = url.pathname.replace(/^\/v1/, '');
      if (route === '/slow') {
        const timer = setTimeout(() => response.end('late'), 2000);
        response.on('close', () => clearTimeout(timer));
        return;
      }
      if (route === '/big') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        return response.end(Buffer.alloc(1024 * 1024 + 5000, 97));
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ path: url.pathname, query: Object.fromEntries(url.searchParams) }));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    server = await startFerry('sqlite', {
      FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true',
      FERRY_PROXY_TIMEOUT_MS: '300',
      FERRY_PROXY_CONNECTION_RATE_LIMIT: '20',
    });
    const created = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: {
        name: 'Upstream',
        type: 'api',
        configuration: {
          url: `${upstreamUrl}/v1`,
          auth: { header: { name: 'X-Api-Key', value: 'upstream-secret' } },
          parameters: [{ name: 'tenant', value: 't1' }],
        },
      },
    });
    assert.equal(created.status, 200, created.text);
    connectionId = created.body.data.id;
  });
  after(async () => {
    await server.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  const proxy = (request: Record<string, unknown>, id = connectionId) =>
    call(server.url, 'POST', `/api/connections/${id}/proxy`, { key: server.apiKey, body: { request } });

  test('a call gets the base URL, auth and locked query attached, and a proxyCallId that is audited', async () => {
    const response = await proxy({ method: 'GET', path: '/objects', query: { limit: 5 } });
    assert.equal(response.status, 200, response.text);
    const data = response.body.data;
    assert.equal(data.status, 200);
    assert.equal(data.truncated, false);
    assert.deepEqual(data.body, { path: '/v1/objects', query: { tenant: 't1', limit: '5' } });
    assert.equal(seen.at(-1)!.headers['x-api-key'], 'upstream-secret');
    const audit = await server.ferry.context.repositories.proxyCalls.get(data.proxyCallId);
    assert.equal(audit?.path, '/objects');
    assert.equal(audit?.status, 200);
  });

  test('request bodies over 256 KiB are a 400 and never reach the upstream', async () => {
    const before = seen.length;
    const response = await proxy({ method: 'POST', path: '/objects', body: 'x'.repeat(256 * 1024 + 1) });
    assert.equal(response.status, 400);
    assert.equal(response.body.key, 'proxy_body_too_large');
    assert.equal(seen.length, before);
  });

  test('responses over 1 MiB are cut to 1 MiB with truncated: true', async () => {
    const response = await proxy({ method: 'GET', path: '/big' });
    assert.equal(response.status, 200);
    assert.equal(response.body.data.truncated, true);
    assert.equal(Buffer.byteLength(response.body.data.body), 1024 * 1024);
  });

  test('an upstream slower than the timeout is a 504', async () => {
    const response = await proxy({ method: 'GET', path: '/slow' });
    assert.equal(response.status, 504);
    assert.equal(response.body.key, 'proxy_upstream_timeout');
    assert.ok(response.body.metadata.proxyCallId);
  });

  test('disallowed methods, locked headers and escaping paths are 400', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ method: 'TRACE', path: '/objects' }, 'proxy_method_not_allowed'],
      [{ method: 'GET', path: '/objects', headers: { 'X-Api-Key': 'mine' } }, 'proxy_locked_header'],
      [{ method: 'GET', path: '/objects', query: { tenant: 't2' } }, 'proxy_locked_query'],
      [{ method: 'GET', path: '/../admin' }, 'proxy_invalid_path'],
      [{ method: 'GET', path: '/%2e%2e/admin' }, 'proxy_invalid_path'],
      [{ method: 'GET', path: 'http://elsewhere.example/' }, 'proxy_invalid_path'],
    ];
    for (const [request, key] of cases) {
      const response = await proxy(request);
      assert.equal(response.status, 400, JSON.stringify(request));
      assert.equal(response.body.key, key, JSON.stringify(request));
    }
  });

  test('the rate limit answers 429 with Retry-After', async () => {
    const limited = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'Limited', type: 'api', configuration: { url: upstreamUrl } },
    });
    let refused: Awaited<ReturnType<typeof proxy>> | undefined;
    for (let index = 0; index < 25 && !refused; index += 1) {
      const response = await proxy({ method: 'GET', path: '/ping' }, limited.body.data.id);
      if (response.status === 429) refused = response;
    }
    assert.ok(refused, 'no 429 within 25 calls at 20 per minute');
    assert.equal(refused.body.key, 'proxy_rate_limited');
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  });

  test('cloud metadata addresses are refused even with private upstreams allowed', async () => {
    const metadata = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'Metadata', type: 'api', configuration: { url: 'http://169.254.169.254/latest' } },
    });
    const response = await proxy({ method: 'GET', path: '/meta-data' }, metadata.body.data.id);
    assert.equal(response.status, 400);
    assert.equal(response.body.key, 'proxy_upstream_forbidden');
  });

  test('info shows the contract with secrets redacted and the usage of the last 24 hours', async () => {
    const info = await call(server.url, 'GET', `/api/connections/${connectionId}/proxy/info`, { key: server.apiKey });
    assert.equal(info.status, 200, info.text);
    const data = info.body.data;
    assert.equal(data.connectionId, connectionId);
    assert.ok(!info.text.includes('upstream-secret'), 'the auth value is redacted');
    assert.equal(data.requestContract.maxRequestBodyBytes, 256 * 1024);
    assert.equal(data.requestContract.maxResponseBodyBytes, 1024 * 1024);
    assert.ok(data.stats.proxyCallsLast24h >= 4);
    const connection = await call(server.url, 'GET', `/api/connections/${connectionId}`, { key: server.apiKey });
    assert.equal(connection.body.data.api_calls_last_24_hours, data.stats.callsLast24h);
    // The list counts every connection's calls in one grouped query: the same figure, and 0 for the others.
    const list = await call(server.url, 'GET', '/api/connections', { key: server.apiKey });
    const counts = new Map(
      list.body.data.map((each: { id: string; api_calls_last_24_hours: number }) => [
        each.id,
        each.api_calls_last_24_hours,
      ]),
    );
    assert.equal(counts.get(connectionId), data.stats.callsLast24h);
    assert.ok(list.body.data.length > 1);
    for (const [id, calls] of counts) if (id !== connectionId) assert.equal(typeof calls, 'number');
  });

  test('the proxy is 2025-09-18 only, needs an api connection, and is scoped to the organization', async () => {
    const older = await call(server.url, 'POST', `/api/connections/${connectionId}/proxy`, {
      key: server.apiKey,
      version: '2024-02-08',
      body: { request: { method: 'GET', path: '/' } },
    });
    assert.equal(older.status, 404);
    const sqlite = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: {
        name: 'Not an API',
        type: 'postgresql',
        configuration: { hostname: '127.0.0.1', database: 'test', username: 'postgres', ssl: false },
      },
    });
    const wrongType = await proxy({ method: 'GET', path: '/' }, sqlite.body.data.id);
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.key, 'proxy_configuration_invalid');
    const child = (
      await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Proxy outsider' } })
    ).body.data;
    const user = (
      await call(server.url, 'POST', `/api/organizations/${child.id}/users`, {
        key: server.partnerKey,
        body: { email: 'o@proxy.example' },
      })
    ).body.data;
    const outsiderKey = (
      await call(server.url, 'POST', `/api/organizations/${child.id}/users/${user.id}/keys`, { key: server.partnerKey })
    ).body.data.value;
    const outsider = await call(server.url, 'POST', `/api/connections/${connectionId}/proxy`, {
      key: outsiderKey,
      body: { request: { method: 'GET', path: '/' } },
    });
    assert.equal(outsider.status, 404);
  });
});

describe('connection proxy without private upstreams allowed', () => {
  test('loopback upstreams are refused by default', async () => {
    const server = await startFerry('sqlite');
    try {
      const created = await call(server.url, 'POST', '/api/connections', {
        key: server.apiKey,
        body: { name: 'Local', type: 'api', configuration: { url: 'http://127.0.0.1:9/' } },
      });
      const response = await call(server.url, 'POST', `/api/connections/${created.body.data.id}/proxy`, {
        key: server.apiKey,
        body: { request: { method: 'GET', path: '/' } },
      });
      assert.equal(response.status, 400);
      assert.equal(response.body.key, 'proxy_upstream_forbidden');
    } finally {
      await server.close();
    }
  });
});
