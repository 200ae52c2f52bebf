// OAuth client-credentials connections: the proxy fetches a token, caches it and sends it as Bearer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnectionProxy } from '../../src/proxy/connection-proxy.ts';
import { createMemoryProxyCallStore } from '../../src/proxy/memory/memory-proxy-call-store.ts';
import { startUpstream, type UpstreamServer } from './upstream-server.ts';

let upstream: UpstreamServer;
let tokensIssued = 0;
before(async () => {
  upstream = await startUpstream({
    '/oauth/token': (request, response, body) => {
      const form = new URLSearchParams(body);
      const basic = `Basic ${Buffer.from('client:s3cret').toString('base64')}`;
      if (request.headers.authorization !== basic || form.get('grant_type') !== 'client_credentials') {
        response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
        return;
      }
      tokensIssued += 1;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `tok-${tokensIssued}`, expires_in: 3600, scope: form.get('scope') }));
    },
    '/api/me': (request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ authorization: request.headers.authorization }));
    },
  });
});
after(() => upstream.close());

test('client credentials: token fetched once, sent as Bearer, redacted in info', async () => {
  const store = createMemoryProxyCallStore();
  const proxy = createConnectionProxy({ audit: store, stats: store, limits: { allowPrivateUpstreams: true } });
  try {
    const connection = {
      connectionId: 'c',
      organizationId: 'o',
      configuration: {
        url: `${upstream.url}/api`,
        auth: {
          oauth: {
            client_id: 'client',
            client_secret: 's3cret',
            token_endpoint: `${upstream.url}/oauth/token`,
            scopes: ['read'],
          },
        },
      },
    };
    for (let call = 0; call < 2; call += 1) {
      const result = await proxy.execute(connection, { method: 'GET', path: '/me' });
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.value.body, { authorization: 'Bearer tok-1' });
    }
    assert.equal(tokensIssued, 1);
    const info = await proxy.info(connection);
    assert.ok(info.ok);
    assert.deepEqual(info.value.inheritedBase.lockedHeaders, [
      { name: 'authorization', value: '[REDACTED]', redacted: true },
    ]);

    const wrong = {
      ...connection,
      connectionId: 'd',
      configuration: {
        ...connection.configuration,
        auth: { oauth: { client_id: 'client', client_secret: 'nope', token_endpoint: `${upstream.url}/oauth/token` } },
      },
    };
    const refused = await proxy.execute(wrong, { method: 'GET', path: '/me' });
    assert.equal(refused.ok, false);
    if (!refused.ok) {
      assert.equal(refused.error.status, 502);
      assert.equal(refused.error.key, 'proxy_upstream_auth_failed');
      assert.match(refused.error.message, /invalid_client/);
    }
  } finally {
    await proxy.close();
  }
});
