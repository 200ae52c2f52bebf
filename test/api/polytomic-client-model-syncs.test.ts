// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through the model-sync resource endpoints.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient, Polytomic } from 'polytomic';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';

describe('official polytomic@1.18.1 client: model syncs at 2024-02-08', () => {
  let server: TestFerry;
  let world: ModelSyncWorld;
  let client: PolytomicClient;

  before(async () => {
    server = await startFerry('sqlite');
    world = await createModelSyncWorld(server);
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
  });
  after(async () => {
    await server.close();
    world.remove();
  });

  test('create, get, list, update, activate, getScheduleOptions and remove', async () => {
    const created = await client.modelSync.create(
      syncBody(world, {
        name: 'SDK sync',
        schedule: { frequency: 'hourly', minute: '15' },
      }) as Polytomic.CreateModelSyncRequest,
    );
    const id = created.data!.id!;
    assert.equal(created.data?.mode, 'updateOrCreate');
    assert.deepEqual(created.data?.model_ids, [world.modelId]);
    assert.deepEqual(created.data?.schedule, { frequency: 'hourly', minute: '15' });
    assert.equal(created.data?.target?.object, 'contacts');

    const fetched = await client.modelSync.get(id);
    assert.equal(fetched.data?.name, 'SDK sync');
    assert.deepEqual(
      fetched.data?.fields?.map((field) => field.target),
      ['email', 'score'],
    );

    // 2024-02-08 lists full ModelSyncResponse items (fields, identity, target), with no pagination.
    const listed = await client.modelSync.list({ target_connection_id: world.targetConnectionId });
    const item = listed.data?.find((sync) => sync.id === id);
    assert.ok(item, 'the sync is listed');
    assert.deepEqual(item?.identity, fetched.data?.identity);
    assert.deepEqual(item?.target, { connection_id: world.targetConnectionId, object: 'contacts' });
    assert.equal((listed as Record<string, unknown>).pagination, undefined);

    const updated = await client.modelSync.update(
      id,
      syncBody(world, { name: 'SDK sync 2', mode: 'update' }) as Polytomic.UpdateModelSyncRequest,
    );
    assert.equal(updated.data?.name, 'SDK sync 2');
    assert.equal(updated.data?.mode, 'update');
    assert.deepEqual(updated.data?.schedule, { frequency: 'manual' });

    assert.deepEqual((await client.modelSync.activate(id, { active: false })).data, { id, active: false });
    assert.deepEqual(
      (await client.modelSync.list({ active: false })).data?.map((sync) => sync.id),
      [id],
    );

    const options = await client.modelSync.getScheduleOptions();
    assert.ok(options.data?.schedule_options?.some((option) => option.frequency === 'manual'));

    await client.modelSync.remove(id);
    await assert.rejects(client.modelSync.get(id), (error: unknown) => error instanceof Polytomic.NotFoundError);
  });

  test('a refused sync surfaces as UnprocessableEntityError naming the field', async () => {
    await assert.rejects(
      client.modelSync.create(
        syncBody(world, { identity: undefined, mode: 'update' }) as Polytomic.CreateModelSyncRequest,
      ),
      (error: unknown) =>
        error instanceof Polytomic.UnprocessableEntityError &&
        (error.body as { metadata?: { field?: string } }).metadata?.field === 'identity',
    );
  });
});
