// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through the connection endpoints it has.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient, PolytomicError } from 'polytomic';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';

const configuration = {
  hostname: '127.0.0.1',
  port: 5432,
  database: 'test',
  username: 'postgres',
  password: 'pw',
  ssl: false,
};

describe('official polytomic@1.18.1 client: connections at 2024-02-08', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let client: PolytomicClient;
  let partner: PolytomicClient;
  before(async () => {
    server = await startFerry('sqlite');
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    partner = new PolytomicClient({ environment: server.url, token: server.partnerKey, version: '2024-02-08' });
  });
  after(() => server.close());

  test('getTypes, getConnectionTypeSchema and getTypeParameterValues', async () => {
    const types = await client.connections.getTypes();
    assert.ok(types.data?.some((type) => type.id === 'postgresql'));
    const schema = await client.connections.getConnectionTypeSchema('postgresql');
    assert.ok((schema.properties as Record<string, unknown>).hostname);
    const values = await client.connections.getTypeParameterValues('postgresql', { field: 'database' });
    assert.deepEqual(values.data, { database: { allows_creation: false, values: [] } });
  });

  test('create, get, list, update, testConnection, getParameterValues, connect and remove', async () => {
    const created = await client.connections.create({
      name: 'SDK warehouse',
      type: 'postgresql',
      configuration,
      validate: true,
    });
    const id = created.data!.id!;
    assert.equal(created.data?.status, 'healthy');
    assert.equal((created.data?.configuration as Record<string, unknown> | undefined)?.password, undefined);
    assert.equal((await client.connections.get(id)).data?.name, 'SDK warehouse');
    assert.ok((await client.connections.list()).data?.some((item) => item.id === id));
    const updated = await client.connections.update(id, {
      name: 'SDK warehouse 2',
      configuration: { ...configuration, password: undefined },
    });
    assert.equal(updated.data?.name, 'SDK warehouse 2');
    await client.connections.testConnection({ type: 'postgresql', configuration, connection_id: id });
    await assert.rejects(
      client.connections.testConnection({ type: 'postgresql', configuration: { ...configuration, port: 1 } }),
      (error: unknown) => {
        assert.ok(error instanceof PolytomicError);
        assert.equal(error.statusCode, 400);
        assert.equal((error.body as { metadata: { reason: string } }).metadata.reason, 'host_unreachable');
        return true;
      },
    );
    assert.deepEqual((await client.connections.getParameterValues(id)).data, {});
    const card = await client.connections.connect({
      name: 'Card',
      redirect_url: 'https://app.example/back',
      type: 'postgresql',
    });
    assert.ok(card.data?.redirect_url?.includes('/connect/'));
    await client.connections.remove(id);
    await assert.rejects(
      client.connections.get(id),
      (error: unknown) => error instanceof PolytomicError && error.statusCode === 404,
    );
  });

  test('createSharedConnection and listSharedConnections', async () => {
    const parent = (await client.connections.create({ name: 'To share', type: 'postgresql', configuration })).data!.id!;
    const child = (await partner.organization.create({ name: 'SDK share child' })).data!.id!;
    const shared = await partner.connections.createSharedConnection(parent, { child_organization_id: child });
    assert.ok(shared.data?.id);
    const copies = await client.connections.listSharedConnections(parent);
    assert.deepEqual(
      copies.data?.map((copy) => copy.id),
      [shared.data!.id],
    );
  });
});
