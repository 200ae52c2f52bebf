// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through every foundation endpoint it has.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient, PolytomicError } from 'polytomic';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';

describe('official polytomic@1.18.1 client at 2024-02-08', () => {
  let server: TestFerry;
  let partner: PolytomicClient;
  let user: PolytomicClient;
  before(async () => {
    server = await startFerry('sqlite');
    partner = new PolytomicClient({ environment: server.url, token: server.partnerKey, version: '2024-02-08' });
    user = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
  });
  after(() => server.close());

  test('identity.get', async () => {
    const me = await user.identity.get();
    assert.equal(me.data?.id, server.userId);
    assert.equal(me.data?.is_user, true);
    assert.equal(me.data?.organization_id, server.organizationId);
  });

  test('organization create, get, update, list and remove', async () => {
    const created = await partner.organization.create({ name: 'Client Co', sso_domain: 'client.example' });
    const id = created.data!.id!;
    assert.equal(created.data?.name, 'Client Co');
    assert.equal(created.data?.sso_domain, 'client.example');
    assert.equal((await partner.organization.get(id)).data?.name, 'Client Co');
    const updated = await partner.organization.update(id, { name: 'Client Co 2' });
    assert.equal(updated.data?.name, 'Client Co 2');
    const listed = await partner.organization.list();
    assert.ok(listed.data?.some((organization) => organization.id === id));
    await partner.organization.remove(id);
    await assert.rejects(
      partner.organization.get(id),
      (error: unknown) => error instanceof PolytomicError && error.statusCode === 404,
    );
  });

  test('users create, list, get, update, createApiKey and remove', async () => {
    const organizationId = (await partner.organization.create({ name: 'Client users' })).data!.id!;
    const created = await partner.users.create(organizationId, { email: 'sdk@client.example', role: 'admin' });
    const id = created.data!.id!;
    assert.equal(created.data?.email, 'sdk@client.example');
    assert.deepEqual(
      (await partner.users.list(organizationId)).data?.map((item) => item.id),
      [id],
    );
    assert.equal((await partner.users.get(id, organizationId)).data?.email, 'sdk@client.example');
    const updated = await partner.users.update(id, organizationId, { email: 'sdk2@client.example', role: 'user' });
    assert.equal(updated.data?.role, 'user');
    const key = await partner.users.createApiKey(organizationId, id, { force: true });
    assert.ok(key.data?.value);
    const asUser = new PolytomicClient({ environment: server.url, token: key.data!.value!, version: '2024-02-08' });
    assert.equal((await asUser.identity.get()).data?.email, 'sdk2@client.example');
    const removed = await partner.users.remove(id, organizationId);
    assert.equal(removed.data?.id, id);
  });

  test('an organization-scoped key may use the plural user routes on its own organization', async () => {
    const users = await user.users.list(server.organizationId);
    assert.ok(users.data?.some((item) => item.id === server.userId));
  });

  test('errors reach the client with their status and body', async () => {
    await assert.rejects(partner.organization.create({ name: '' }), (error: unknown) => {
      assert.ok(error instanceof PolytomicError);
      assert.equal(error.statusCode, 422);
      assert.equal((error.body as { metadata: { field: string } }).metadata.field, 'name');
      return true;
    });
    const anonymous = new PolytomicClient({ environment: server.url, token: 'wrong', version: '2024-02-08' });
    await assert.rejects(anonymous.identity.get(), (error: unknown) => {
      assert.ok(error instanceof PolytomicError);
      assert.equal(error.statusCode, 401);
      assert.deepEqual(error.body, { code: 401, error: 'Invalid or revoked API key.', status: 'Unauthorized' });
      return true;
    });
  });
});
