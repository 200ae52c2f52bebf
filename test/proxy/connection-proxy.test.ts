// The proxy core against a real upstream on 127.0.0.1: every limit the API specifies, the header/query locks,
// the path rule and the address policy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnectionProxy, type ConnectionProxy, type ProxyConnection } from '../../src/proxy/connection-proxy.ts';
import {
  createMemoryProxyCallStore,
  type MemoryProxyCallStore,
} from '../../src/proxy/memory/memory-proxy-call-store.ts';
import type { ProxyLimits } from '../../src/proxy/proxy-limits.ts';
import { startUpstream, type UpstreamServer } from './upstream-server.ts';

const mebibyte = 1024 * 1024;
let upstream: UpstreamServer;
const proxies: ConnectionProxy[] = [];

function build(
  limits: Partial<ProxyLimits> = {},
  now?: () => number,
): { proxy: ConnectionProxy; store: MemoryProxyCallStore } {
  const store = createMemoryProxyCallStore({ now });
  const proxy = createConnectionProxy({
    audit: store,
    stats: store,
    now,
    limits: { allowPrivateUpstreams: true, ...limits },
  });
  proxies.push(proxy);
  return { proxy, store };
}

function connection(configuration: Record<string, unknown> = {}, ids: Partial<ProxyConnection> = {}): ProxyConnection {
  return {
    connectionId: 'conn-1',
    organizationId: 'org-1',
    configuration: { url: `${upstream.url}/v1`, ...configuration },
    ...ids,
  };
}

before(async () => {
  upstream = await startUpstream({
    '/v1/echo': (request, response, body) => {
      response.writeHead(200, {
        'content-type': 'application/json',
        'set-cookie': 'session=upstream',
        'x-upstream': 'yes',
      });
      response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers, body }));
    },
    '/v1/text': (_request, response) => {
      response.writeHead(201, { 'content-type': 'text/plain' }).end('hello');
    },
    '/v1/slow': (_request, response) => {
      const timer = setTimeout(() => response.end('late'), 5_000);
      response.on('close', () => clearTimeout(timer));
    },
    '/v1/big': (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const write = () => {
        while (sent < 2 * mebibyte) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', write);
        }
        response.end();
      };
      response.on('error', () => {});
      write();
    },
    '/v1/exact': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(mebibyte, 'b'));
    },
    '/v1/redirect': (_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    },
  });
});

after(async () => {
  for (const proxy of proxies) await proxy.close();
  await upstream.close();
});

describe('execute', () => {
  test('forwards method, path, query and body; returns parsed JSON with blocked response headers removed', async () => {
    const { proxy, store } = build();
    const result = await proxy.execute(connection(), {
      method: 'post',
      path: '/echo',
      query: { q: 'a b', tags: ['x', 'y'], n: 3 },
      headers: { 'X-Custom': 'one', Connection: 'close', 'Transfer-Encoding': 'chunked' },
      body: { hello: 'world' },
    });
    assert.equal(result.ok, true, JSON.stringify(result));
    if (!result.ok) return;
    const echoed = result.value.body as { method: string; url: string; headers: Record<string, string>; body: string };
    assert.equal(result.value.status, 200);
    assert.equal(echoed.method, 'POST');
    assert.equal(echoed.url, '/v1/echo?q=a+b&tags=x&tags=y&n=3');
    assert.equal(echoed.headers['x-custom'], 'one');
    assert.equal(echoed.headers['content-type'], 'application/json');
    assert.notEqual(echoed.headers.connection, 'close');
    assert.equal(echoed.body, '{"hello":"world"}');
    assert.equal(result.value.headers['x-upstream'], 'yes');
    assert.equal(result.value.headers['set-cookie'], undefined);
    assert.equal(result.value.truncated, false);
    assert.match(result.value.proxyCallId, /^[0-9a-f-]{36}$/);
    assert.equal(result.value.contentType, 'application/json');
    const [record] = store.records;
    assert.equal(record.proxyCallId, result.value.proxyCallId);
    assert.equal(record.status, 200);
    assert.equal(record.method, 'POST');
    assert.equal(record.path, '/echo');
    assert.equal(record.requestBytes, 17);
    assert.equal(record.upstream, true);
  });

  test('non-JSON bodies come back as text; rawQuery is appended as is', async () => {
    const { proxy } = build();
    const result = await proxy.execute(connection(), {
      method: 'PUT',
      path: '/text',
      rawQuery: 'a=1&b=%20',
      body: 'plain',
    });
    assert.ok(result.ok);
    assert.equal(result.value.status, 201);
    assert.equal(result.value.body, 'hello');
    assert.equal(upstream.requests.at(-1)?.url, '/v1/text?a=1&b=+');
  });

  test('upstream slower than the configured timeout → 504', async () => {
    const { proxy, store } = build({ timeoutMs: 200 });
    const started = Date.now();
    const result = await proxy.execute(connection(), { method: 'GET', path: '/slow' });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.status, 504);
    assert.equal(result.error.key, 'proxy_upstream_timeout');
    assert.ok(Date.now() - started < 2_000);
    assert.equal(store.records[0].status, 504);
  });

  test('request body over 256 KiB → 400 and no upstream call', async () => {
    const { proxy } = build();
    const before = upstream.requests.length;
    const result = await proxy.execute(connection(), {
      method: 'POST',
      path: '/echo',
      body: 'x'.repeat(256 * 1024 + 1),
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.error.status, 400);
    assert.equal(result.error.key, 'proxy_body_too_large');
    assert.equal(upstream.requests.length, before);
    const atLimit = await proxy.execute(connection(), { method: 'POST', path: '/echo', body: 'x'.repeat(256 * 1024) });
    assert.equal(atLimit.ok, true);
  });

  test('response over 1 MiB → truncated: true and exactly 1 MiB of body', async () => {
    const { proxy, store } = build();
    const result = await proxy.execute(connection(), { method: 'GET', path: '/big' });
    assert.ok(result.ok);
    assert.equal(result.value.truncated, true);
    assert.equal(typeof result.value.body, 'string');
    assert.equal(Buffer.byteLength(result.value.body as string), mebibyte);
    assert.equal(store.records[0].responseBytes, mebibyte);
    assert.equal(store.records[0].truncated, true);
  });

  test('response of exactly 1 MiB is not truncated', async () => {
    const { proxy } = build();
    const result = await proxy.execute(connection(), { method: 'GET', path: '/exact' });
    assert.ok(result.ok);
    assert.equal(result.value.truncated, false);
    assert.equal((result.value.body as string).length, mebibyte);
  });

  test('redirects are returned, not followed', async () => {
    const { proxy } = build();
    const result = await proxy.execute(connection(), { method: 'GET', path: '/redirect' });
    assert.ok(result.ok);
    assert.equal(result.value.status, 302);
    assert.equal(result.value.headers.location, 'http://169.254.169.254/latest/meta-data/');
  });

  test('methods outside GET, POST, PUT, PATCH, DELETE → 400', async () => {
    const { proxy } = build();
    for (const method of ['TRACE', 'CONNECT', 'HEAD', 'OPTIONS', '', 'GET /x']) {
      const result = await proxy.execute(connection(), { method, path: '/echo' });
      assert.equal(result.ok, false, method);
      if (!result.ok) assert.equal(result.error.key, 'proxy_method_not_allowed');
    }
  });

  test('GET with a body, bad query values and query+rawQuery together → 400', async () => {
    const { proxy } = build();
    const cases = [
      [{ method: 'GET', path: '/echo', body: 'x' }, 'proxy_invalid_body'],
      [{ method: 'GET', path: '/echo', query: { a: { nested: true } } }, 'proxy_invalid_query'],
      [{ method: 'GET', path: '/echo', query: { a: 1 }, rawQuery: 'b=2' }, 'proxy_invalid_query'],
      [{ method: 'GET', path: '/echo', headers: { 'X-Bad': 'a\r\nInjected: 1' } }, 'proxy_invalid_header'],
    ] as const;
    for (const [call, key] of cases) {
      const result = await proxy.execute(connection(), call);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.key, key, JSON.stringify(call));
    }
  });

  test('paths that escape the base URL are refused', async () => {
    const { proxy } = build();
    const before = upstream.requests.length;
    for (const path of [
      '/../secret',
      '/a/../../secret',
      '/%2e%2e/secret',
      '/%2E%2E%2Fsecret',
      '/%252e%252e/secret',
      '/a%2f..%2fsecret',
      '/..\\secret',
      '//evil.example/x',
      'http://evil.example/x',
      '/http://evil.example',
      'relative',
      '/echo?x=1',
      '/echo#frag',
      '/.',
      '/a\n',
    ]) {
      const result = await proxy.execute(connection(), { method: 'GET', path });
      assert.equal(result.ok, false, path);
      if (!result.ok) assert.equal(result.error.key, 'proxy_invalid_path', path);
    }
    assert.equal(upstream.requests.length, before);
  });

  test('auth header, basic auth and auth query are attached; the caller cannot override them', async () => {
    const { proxy } = build();
    const configured = connection({
      auth: { header: { name: 'X-Api-Key', value: 'k-secret' }, query: [{ name: 'token', value: 't-secret' }] },
      headers: [{ name: 'Accept', value: 'application/json' }],
      parameters: [{ name: 'format', value: 'json' }],
    });
    const result = await proxy.execute(configured, { method: 'GET', path: '/echo', query: { page: 2 } });
    assert.ok(result.ok);
    const echoed = result.value.body as { url: string; headers: Record<string, string> };
    assert.equal(echoed.headers['x-api-key'], 'k-secret');
    assert.equal(echoed.headers.accept, 'application/json');
    assert.equal(echoed.url, '/v1/echo?page=2&token=t-secret&format=json');

    const overrideHeader = await proxy.execute(configured, {
      method: 'GET',
      path: '/echo',
      headers: { 'x-api-key': 'mine' },
    });
    assert.equal(overrideHeader.ok, false);
    if (!overrideHeader.ok) {
      assert.equal(overrideHeader.error.status, 400);
      assert.equal(overrideHeader.error.key, 'proxy_locked_header');
    }
    const overrideQuery = await proxy.execute(configured, { method: 'GET', path: '/echo', rawQuery: 'token=mine' });
    assert.equal(overrideQuery.ok, false);
    if (!overrideQuery.ok) assert.equal(overrideQuery.error.key, 'proxy_locked_query');

    const basic = await proxy.execute(connection({ auth: { basic: { username: 'user', password: 'pa:ss' } } }), {
      method: 'GET',
      path: '/echo',
    });
    assert.ok(basic.ok);
    assert.equal(
      (basic.value.body as { headers: Record<string, string> }).headers.authorization,
      `Basic ${Buffer.from('user:pa:ss').toString('base64')}`,
    );
  });

  test('per-connection rate limit → 429 with Retry-After; the bucket refills with the clock', async () => {
    let clock = Date.parse('2025-01-01T00:00:00Z');
    const { proxy } = build({ connectionRateLimitPerMinute: 2 }, () => clock);
    assert.ok((await proxy.execute(connection(), { method: 'GET', path: '/text' })).ok);
    assert.ok((await proxy.execute(connection(), { method: 'GET', path: '/text' })).ok);
    const limited = await proxy.execute(connection(), { method: 'GET', path: '/text' });
    assert.equal(limited.ok, false);
    if (!limited.ok) {
      assert.equal(limited.error.status, 429);
      assert.equal(limited.error.key, 'proxy_rate_limited');
      assert.equal(limited.error.headers['Retry-After'], '30');
    }
    // Another connection of the same organization has its own bucket.
    assert.ok((await proxy.execute(connection({}, { connectionId: 'conn-2' }), { method: 'GET', path: '/text' })).ok);
    clock += 30_000;
    assert.ok((await proxy.execute(connection(), { method: 'GET', path: '/text' })).ok);
  });

  test('per-organization rate limit spans its connections', async () => {
    let clock = 0;
    const { proxy } = build({ connectionRateLimitPerMinute: 100, organizationRateLimitPerMinute: 3 }, () => clock);
    for (const id of ['a', 'b', 'c'])
      assert.ok((await proxy.execute(connection({}, { connectionId: id }), { method: 'GET', path: '/text' })).ok);
    const limited = await proxy.execute(connection({}, { connectionId: 'd' }), { method: 'GET', path: '/text' });
    assert.equal(limited.ok, false);
    if (!limited.ok) assert.equal(limited.error.headers['Retry-After'], '20');
    const otherOrganization = await proxy.execute(connection({}, { connectionId: 'd', organizationId: 'org-2' }), {
      method: 'GET',
      path: '/text',
    });
    assert.ok(otherOrganization.ok);
    clock += 20_000;
    assert.ok((await proxy.execute(connection({}, { connectionId: 'd' }), { method: 'GET', path: '/text' })).ok);
  });
});

describe('address policy', () => {
  test('cloud metadata addresses and names are refused even when private upstreams are allowed', async () => {
    const { proxy } = build({ allowPrivateUpstreams: true });
    for (const url of [
      'http://169.254.169.254/latest',
      'http://[fd00:ec2::254]/',
      'http://metadata.google.internal/computeMetadata/v1',
      'http://[::ffff:169.254.169.254]/',
    ]) {
      const result = await proxy.execute(connection({ url }), { method: 'GET', path: '/x' });
      assert.equal(result.ok, false, url);
      if (!result.ok) {
        assert.equal(result.error.key, 'proxy_upstream_forbidden', url);
        assert.equal(result.error.status, 400);
      }
    }
  });

  test('loopback is refused unless allowPrivateUpstreams is on, checked on the resolved address', async () => {
    const { proxy } = build({ allowPrivateUpstreams: false });
    const literal = await proxy.execute(connection(), { method: 'GET', path: '/text' });
    assert.equal(literal.ok, false);
    if (!literal.ok) assert.equal(literal.error.key, 'proxy_upstream_forbidden');
    // A name, so the refusal comes from the guarded DNS lookup rather than the literal check.
    const named = await proxy.execute(connection({ url: `http://localhost:${upstream.port}/v1` }), {
      method: 'GET',
      path: '/text',
    });
    assert.equal(named.ok, false);
    if (!named.ok) assert.equal(named.error.key, 'proxy_upstream_forbidden', named.error.message);

    const { proxy: allowing } = build({ allowPrivateUpstreams: true });
    const allowed = await allowing.execute(connection({ url: `http://localhost:${upstream.port}/v1` }), {
      method: 'GET',
      path: '/text',
    });
    assert.ok(allowed.ok, JSON.stringify(allowed));
  });

  test('an unreachable upstream → 502', async () => {
    const { proxy } = build();
    const result = await proxy.execute(connection({ url: 'http://127.0.0.1:1/v1' }), { method: 'GET', path: '/x' });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.error.status, 502);
      assert.equal(result.error.key, 'proxy_upstream_unreachable');
    }
  });
});

describe('info', () => {
  test('describes the contract with auth values redacted and 24-hour stats', async () => {
    let clock = Date.parse('2025-03-01T12:00:00Z');
    const { proxy } = build({}, () => clock);
    const configured = connection({
      url: `http://user:pw@127.0.0.1:${upstream.port}/v1/?api_key=in-url`,
      auth: {
        header: { name: 'Authorization', value: 'Bearer sk-live' },
        query: [{ name: 'token', value: 't-secret' }],
      },
      headers: [
        { name: 'Accept', value: 'application/json' },
        { name: 'X-Session-Token', value: 's' },
      ],
    });
    await proxy.execute(configured, { method: 'GET', path: '/echo' });
    await proxy.execute(configured, { method: 'GET', path: '/missing' });
    await proxy.execute(configured, { method: 'GET', path: '/../x' });
    clock += 1000;
    const result = await proxy.info(configured);
    assert.ok(result.ok);
    const info = result.value;
    assert.equal(info.connectionId, 'conn-1');
    assert.equal(info.backendType, 'api');
    assert.equal(info.inheritedBase.baseUrl, `http://127.0.0.1:${upstream.port}/v1`);
    assert.deepEqual(info.inheritedBase.lockedQuery, { api_key: '[REDACTED]', token: '[REDACTED]' });
    assert.deepEqual(info.inheritedBase.lockedHeaders, [
      { name: 'authorization', value: '[REDACTED]', redacted: true },
      { name: 'accept', value: 'application/json', redacted: false },
      { name: 'x-session-token', value: '[REDACTED]', redacted: true },
    ]);
    assert.equal(JSON.stringify(info).includes('sk-live'), false);
    assert.equal(JSON.stringify(info).includes('pw'), false);
    assert.deepEqual(info.requestContract.allowedMethods, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    assert.equal(info.requestContract.maxRequestBodyBytes, 256 * 1024);
    assert.equal(info.requestContract.maxResponseBodyBytes, mebibyte);
    assert.equal(info.requestContract.timeoutMs, 30_000);
    assert.deepEqual(info.stats, {
      callsLast24h: 3,
      lastProxyCallAt: '2025-03-01T12:00:00.000Z',
      proxy2xxLast24h: 1,
      proxy4xxLast24h: 2,
      proxy5xxLast24h: 0,
      proxyCallsLast24h: 3,
    });
    clock += 24 * 60 * 60 * 1000;
    const later = await proxy.info(configured);
    assert.ok(later.ok);
    assert.equal(later.value.stats.proxyCallsLast24h, 0);
    assert.equal(later.value.stats.lastProxyCallAt, null);
  });

  test('a configuration without a usable url → proxy_configuration_invalid', async () => {
    const { proxy } = build();
    for (const configuration of [{}, { url: 'ftp://x' }, { url: 'not a url' }]) {
      const result = await proxy.info({ connectionId: 'c', organizationId: 'o', configuration });
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.key, 'proxy_configuration_invalid');
    }
  });
});
