import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolveProxyPath } from '../../src/proxy/proxy-path.ts';
import { ProxyFailureError } from '../../src/proxy/proxy-error.ts';

test('joins the base path and the caller path', () => {
  assert.equal(resolveProxyPath('/v1', '/objects'), '/v1/objects');
  assert.equal(resolveProxyPath('', '/objects/a%20b'), '/objects/a%20b');
  assert.equal(resolveProxyPath('/v1/', '/x/'), '/v1/x/');
  assert.equal(resolveProxyPath('/v1', '/a..b/.well-known'), '/v1/a..b/.well-known');
});

test('property: any accepted path stays under the base path after URL normalisation', () => {
  const segment = fc.oneof(
    fc.constantFrom('..', '.', '%2e%2e', '%2E.', '%252e%252e', 'a', 'b%2f', '%5c', ''),
    fc.string({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(segment, { maxLength: 6 }), (segments) => {
      const path = `/${segments.join('/')}`;
      let joined: string;
      try {
        joined = resolveProxyPath('/base', path);
      } catch (error: unknown) {
        assert.ok(error instanceof ProxyFailureError);
        return;
      }
      const url = new URL(`http://upstream.invalid${joined}`);
      assert.ok(url.pathname.startsWith('/base/') || url.pathname === '/base', url.pathname);
      assert.equal(url.host, 'upstream.invalid');
      assert.ok(!decodeURIComponent(url.pathname).split('/').includes('..'));
    }),
    { numRuns: 2000 },
  );
});
