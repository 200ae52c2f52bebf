import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

for (const dialect of await availableDialects()) {
  describe(`idempotent requests (${dialect})`, () => {
    let server: TestFerry;
    before(async () => {
      server = await startFerry(dialect);
    });
    after(() => server.close());

    const post = (key: string, body: unknown, apiKey = server.apiKey) =>
      call(server.url, 'POST', '/api/organization/users', { key: apiKey, body, headers: { 'idempotency-key': key } });

    test('the same key and request replay the first response and do the work once', async () => {
      const first = await post('create-user-0001', { email: 'once@example.com' });
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const second = await post('create-user-0001', { email: 'once@example.com' });
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(second.body, first.body);
      const users = await call(server.url, 'GET', '/api/organization/users', { key: server.apiKey });
      assert.equal(users.body.data.filter((user: { email: string }) => user.email === 'once@example.com').length, 1);
    });

    test('a refusal by the handler is remembered; a request that fails validation is not', async () => {
      const first = await post('bad-user-00001', { email: 'admin@localhost' });
      assert.equal(first.status, 422);
      const second = await post('bad-user-00001', { email: 'admin@localhost' });
      assert.equal(second.status, 422);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(second.body, first.body);

      const invalid = await post('bad-user-00002', { email: 'nope' });
      assert.equal(invalid.status, 422);
      const corrected = await post('bad-user-00002', { email: 'corrected@example.com' });
      assert.equal(corrected.status, 200, 'no work started, so the key is still free');
    });

    test('the same key with a different request is a 422', async () => {
      await post('create-user-0002', { email: 'two@example.com' });
      const other = await post('create-user-0002', { email: 'three@example.com' });
      assert.equal(other.status, 422);
      assert.equal(other.body.key, 'idempotency_key_reused');
    });

    test('a duplicate still in flight is a 409', async () => {
      const { repositories, config } = server.ferry.context;
      const now = new Date();
      await repositories.idempotency.claim(
        server.organizationId,
        'in-flight-0001',
        'fingerprint-of-a-running-request',
        now,
        config.idempotencyTtlMs,
        new Date(now.getTime() - 60_000),
      );
      const response = await post('in-flight-0001', { email: 'wait@example.com' });
      assert.equal(response.status, 409);
      assert.equal(response.body.key, 'idempotency_request_in_flight');
    });

    test('keys shorter than 8 or longer than 255 characters are a 400', async () => {
      for (const key of ['short', 'x'.repeat(256)]) {
        const response = await post(key, { email: 'len@example.com' });
        assert.equal(response.status, 400);
        assert.equal(response.body.key, 'idempotency_key_invalid');
        assert.equal(response.body.metadata.field, 'Idempotency-Key');
      }
    });

    test('keys are kept per organization', async () => {
      const child = (
        await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Idem child' } })
      ).body.data;
      const user = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users`, {
          key: server.partnerKey,
          // Adding users takes the Admin role (docs/permissions.md).
          body: { email: 'c@idem.example', role: 'admin' },
        })
      ).body.data;
      const childKey = (
        await call(server.url, 'POST', `/api/organizations/${child.id}/users/${user.id}/keys`, {
          key: server.partnerKey,
        })
      ).body.data.value;
      const mine = await post('shared-key-0001', { email: 'mine@example.com' });
      const theirs = await post('shared-key-0001', { email: 'mine@example.com' }, childKey);
      assert.equal(mine.status, 200);
      assert.equal(theirs.status, 200);
      assert.equal(theirs.headers.get('idempotent-replayed'), null, 'another organization does not replay my response');
      assert.notEqual(theirs.body.data.id, mine.body.data.id);
    });

    test('an expired key is forgotten', async () => {
      const { repositories } = server.ferry.context;
      const past = new Date(Date.now() - 25 * 60 * 60 * 1000);
      await repositories.idempotency.claim(
        server.organizationId,
        'expired-key-01',
        'old',
        past,
        24 * 60 * 60 * 1000,
        past,
      );
      await repositories.idempotency.complete(server.organizationId, 'expired-key-01', 200, '{}', '2025-09-18');
      const response = await post('expired-key-01', { email: 'fresh@example.com' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('idempotent-replayed'), null);
    });
  });
}
