// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through every method it has for roles and
// policies (permissions.roles and permissions.policies: list, create, get, update, remove).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient, PolytomicError } from 'polytomic';
import { availableDialects, startFerry, type TestFerry } from '../kit/ferry-server.ts';

for (const dialect of await availableDialects()) {
  describe(`official polytomic@1.18.1 client: roles and policies at 2024-02-08 (${dialect} metadata)`, () => {
    let server: TestFerry;
    let client: PolytomicClient;

    before(async () => {
      server = await startFerry(dialect);
      client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    });
    after(async () => server?.close());

    const notFound = async (request: Promise<unknown>) =>
      assert.rejects(request, (error: unknown) => error instanceof PolytomicError && error.statusCode === 404);

    test('roles: list (the built-ins), create, get, update and remove; a built-in cannot be removed', async () => {
      const builtIn = (await client.permissions.roles.list()).data!;
      assert.ok(builtIn.some((role) => role.name === 'Admin' && role.system === true));
      const created = (await client.permissions.roles.create({ name: 'Analyst' })).data!;
      assert.equal(created.name, 'Analyst');
      assert.equal(created.system, false);
      assert.equal(created.organization_id, server.organizationId);
      assert.deepEqual((await client.permissions.roles.get(created.id!)).data, created);
      assert.equal(
        (await client.permissions.roles.update(created.id!, { name: 'Senior analyst' })).data?.name,
        'Senior analyst',
      );
      assert.ok((await client.permissions.roles.list()).data?.some((role) => role.name === 'Senior analyst'));
      await assert.rejects(
        client.permissions.roles.remove(builtIn.find((role) => role.name === 'Admin')!.id!),
        (error: unknown) => error instanceof PolytomicError && error.statusCode === 403,
      );
      await client.permissions.roles.remove(created.id!);
      await notFound(client.permissions.roles.get(created.id!));
    });

    test('policies: list (the built-ins), create, get, update and remove, granting actions to roles', async () => {
      const builtIn = (await client.permissions.policies.list()).data!;
      assert.ok(builtIn.length >= 4 && builtIn.every((policy) => policy.system === true));
      const role = (await client.permissions.roles.create({ name: 'Operator' })).data!;
      const created = (
        await client.permissions.policies.create({
          name: 'Operators trigger',
          policy_actions: [
            { action: 'read', role_ids: [role.id!] },
            { action: 'trigger', role_ids: [role.id!] },
          ],
        })
      ).data!;
      assert.equal(created.name, 'Operators trigger');
      assert.equal(created.system, false);
      assert.deepEqual(
        created.policy_actions?.map((grant) => [grant.action, grant.role_ids]),
        [
          ['read', [role.id]],
          ['trigger', [role.id]],
        ],
      );
      assert.deepEqual((await client.permissions.policies.get(created.id!)).data, created);
      const updated = (
        await client.permissions.policies.update(created.id!, {
          name: 'Operators edit',
          policy_actions: [{ action: 'edit', role_ids: [role.id!] }],
        })
      ).data!;
      assert.equal(updated.name, 'Operators edit');
      assert.deepEqual(
        updated.policy_actions?.map((grant) => grant.action),
        ['edit'],
      );
      assert.ok((await client.permissions.policies.list()).data?.some((policy) => policy.id === created.id));
      await assert.rejects(
        client.permissions.policies.create({ name: 'Bad', policy_actions: [{ action: 'fly', role_ids: [] }] }),
        (error: unknown) => error instanceof PolytomicError && error.statusCode === 400,
      );
      await assert.rejects(
        client.permissions.policies.remove(builtIn[0]!.id!),
        (error: unknown) => error instanceof PolytomicError && error.statusCode === 403,
      );
      await client.permissions.policies.remove(created.id!);
      await notFound(client.permissions.policies.get(created.id!));
      await client.permissions.roles.remove(role.id!);
    });

    test('users carry role_ids: a Viewer made through the client reads roles and is refused changing them', async () => {
      const partner = new PolytomicClient({ environment: server.url, token: server.partnerKey, version: '2024-02-08' });
      const viewerRole = (await client.permissions.roles.list()).data!.find((role) => role.name === 'Viewer')!;
      const user = (
        await partner.users.create(server.organizationId, { email: 'viewer@example.com', role_ids: [viewerRole.id!] })
      ).data!;
      assert.deepEqual(user.role_ids, [viewerRole.id]);
      assert.deepEqual((await partner.users.get(user.id!, server.organizationId)).data?.role_ids, [viewerRole.id]);
      const key = (await partner.users.createApiKey(server.organizationId, user.id!)).data!.value!;
      const viewer = new PolytomicClient({ environment: server.url, token: key, version: '2024-02-08' });
      assert.ok((await viewer.permissions.roles.list()).data?.some((role) => role.id === viewerRole.id));
      await assert.rejects(
        viewer.permissions.roles.create({ name: 'Self-promoted' }),
        (error: unknown) => error instanceof PolytomicError && error.statusCode === 403,
      );
    });
  });
}
