// One organization can neither see nor change another's data: every attempt is a 404, never a leak.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';

for (const dialect of await availableDialects()) {
  describe(`tenancy isolation (${dialect})`, () => {
    let server: TestFerry;
    const tenants: Record<'a' | 'b', { organizationId: string; userId: string; key: string }> = {} as never;

    before(async () => {
      server = await startFerry(dialect);
      for (const name of ['a', 'b'] as const) {
        const organizationId = (
          await call(server.url, 'POST', '/api/organizations', {
            key: server.partnerKey,
            body: { name: `Tenant ${name}` },
          })
        ).body.data.id;
        const userId = (
          await call(server.url, 'POST', `/api/organizations/${organizationId}/users`, {
            key: server.partnerKey,
            body: { email: `owner@${name}.example` },
          })
        ).body.data.id;
        const key = (
          await call(server.url, 'POST', `/api/organizations/${organizationId}/users/${userId}/keys`, {
            key: server.partnerKey,
          })
        ).body.data.value;
        tenants[name] = { organizationId, userId, key };
      }
    });
    after(() => server.close());

    test('reads of another organization are 404', async () => {
      const { a, b } = tenants;
      const attempts: Array<[string, string, string?]> = [
        ['GET', `/api/organization/users/${a.userId}`],
        ['GET', `/api/organizations/${a.organizationId}`],
        ['GET', `/api/entities/${a.userId}`],
        ['GET', `/api/entities/${a.organizationId}`],
        ['GET', `/api/organizations/${a.organizationId}/users`, '2024-02-08'],
        ['GET', `/api/organizations/${a.organizationId}/users/${a.userId}`, '2024-02-08'],
      ];
      for (const [method, path, version] of attempts) {
        const response = await call(server.url, method, path, { key: b.key, version });
        assert.equal(response.status, 404, `${method} ${path} ${version ?? ''}`);
        assert.ok(
          !response.text.includes(a.userId) || path.includes(a.userId),
          'the body names nothing of the other tenant',
        );
        assert.ok(!response.text.includes('owner@a.example'));
      }
      const listed = await call(server.url, 'GET', '/api/organization/users', { key: b.key });
      assert.deepEqual(
        listed.body.data.map((user: { id: string }) => user.id),
        [b.userId],
      );
    });

    test('writes to another organization are 404 and change nothing', async () => {
      const { a, b } = tenants;
      const attempts: Array<[string, string, unknown, string?]> = [
        ['PUT', `/api/organization/users/${a.userId}`, { role: 'admin' }],
        ['DELETE', `/api/organization/users/${a.userId}`, undefined],
        [
          'PUT',
          `/api/organizations/${a.organizationId}/users/${a.userId}`,
          { email: 'stolen@b.example' },
          '2024-02-08',
        ],
        ['DELETE', `/api/organizations/${a.organizationId}/users/${a.userId}`, undefined, '2024-02-08'],
        ['POST', `/api/organizations/${a.organizationId}/users`, { email: 'mole@b.example' }, '2024-02-08'],
      ];
      for (const [method, path, body, version] of attempts) {
        const response = await call(server.url, method, path, { key: b.key, body, version });
        assert.equal(response.status, 404, `${method} ${path}`);
      }
      const users = await call(server.url, 'GET', `/api/organizations/${a.organizationId}/users`, {
        key: server.partnerKey,
      });
      assert.deepEqual(users.body.data, [
        { id: a.userId, email: 'owner@a.example', organization_id: a.organizationId, role: 'user', role_ids: [] },
      ]);
    });

    test("a partner cannot reach another partner's organizations", async () => {
      // A second partner, made directly in storage since partners are created by the operator, not the API.
      const { repositories } = server.ferry.context;
      const partner = await repositories.partners.create('Other partner');
      const foreign = await repositories.organizations.create(partner.id, { name: 'Foreign' });
      await repositories.partners.setOwnerOrganization(partner.id, foreign.id);
      const foreignUser = await repositories.users.create(foreign.id, { email: 'x@foreign.example' });
      const { value: foreignPartnerKey } = await repositories.apiKeys.create({
        kind: 'partner',
        partnerId: partner.id,
      });

      for (const path of [
        `/api/organizations/${foreign.id}`,
        `/api/organizations/${foreign.id}/users`,
        `/api/organizations/entities/${foreignUser.id}`,
      ]) {
        assert.equal((await call(server.url, 'GET', path, { key: server.partnerKey })).status, 404, path);
      }
      const theirs = await call(server.url, 'GET', '/api/organizations', { key: foreignPartnerKey });
      assert.deepEqual(
        theirs.body.data.map((organization: { id: string }) => organization.id),
        [foreign.id],
      );
      assert.equal(
        (await call(server.url, 'GET', `/api/organizations/${tenants.a.organizationId}`, { key: foreignPartnerKey }))
          .status,
        404,
      );
    });
  });
}
