// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through the model-sync execution endpoints it has:
// start, getStatus, executions.list/get, executions.update({status: 'canceled'}) and cancel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient } from 'polytomic';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from './model-sync-execution-kit.ts';

describe('official polytomic@1.18.1 client: model-sync executions at 2024-02-08', {
  skip: await postgresUnavailable(),
}, () => {
  let server: TestFerry;
  let world: ExecutionWorld;
  let client: PolytomicClient;

  before(async () => {
    server = await startFerry('sqlite', { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
    world = await createExecutionWorld(server, range(1, 3000));
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
  });
  after(async () => {
    await server?.close();
    await world?.remove();
  });

  test('start, getStatus, executions.list and get, executions.update to canceled, cancel', async () => {
    const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'webhook'));
    const started = await client.modelSync.start(syncId, { test: true });
    const testId = started.data!.id!;
    assert.ok(['queued', 'running', 'completed'].includes(started.data!.status!));
    const tested = await waitForExecution(server.url, server.apiKey, syncId, testId);
    assert.equal(tested.status, 'completed');

    const got = await client.modelSync.executions.get(syncId, testId);
    assert.equal(got.data?.id, testId);
    assert.equal(got.data?.type, 'test');
    assert.equal(got.data?.counts?.insert, 10);
    assert.deepEqual(got.data?.errors, []);
    const status = await client.modelSync.getStatus(syncId);
    assert.equal(status.data?.last_execution?.id, testId);
    assert.equal(status.data?.current_execution, undefined);

    world.receiver.delayMs = 300;
    try {
      const slow = (await client.modelSync.start(syncId, { resync: true })).data!.id!;
      await waitForExecution(server.url, server.apiKey, syncId, slow, {
        until: (execution) => execution.status === 'running',
      });
      const running = await client.modelSync.getStatus(syncId);
      assert.equal(running.data?.current_execution?.id, slow);
      const updated = await client.modelSync.executions.update(syncId, slow, { status: 'canceled' });
      assert.equal(updated.data?.id, slow);
      assert.ok(['canceling', 'canceled'].includes(updated.data!.status!));
      assert.equal((await waitForExecution(server.url, server.apiKey, syncId, slow)).status, 'canceled');
      await assert.rejects(
        client.modelSync.executions.update(syncId, slow, { status: 'canceled' }),
        (error: { statusCode?: number }) => error.statusCode === 400,
      );

      const another = (await client.modelSync.start(syncId)).data!.id!;
      await waitForExecution(server.url, server.apiKey, syncId, another, {
        until: (execution) => execution.status === 'running',
      });
      const canceled = await client.modelSync.cancel(syncId);
      assert.match(canceled.data?.message ?? '', new RegExp(another));
      assert.equal((await waitForExecution(server.url, server.apiKey, syncId, another)).status, 'canceled');
    } finally {
      world.receiver.delayMs = 0;
    }

    const listed = await client.modelSync.executions.list(syncId);
    assert.equal(listed.data?.length, 3);
    assert.equal(listed.data?.[2]?.id, testId, 'newest first');
    const ascending = await client.modelSync.executions.list(syncId, { ascending: true, only_completed: true });
    assert.deepEqual(
      ascending.data?.map((execution) => execution.id),
      [testId],
    );
  });
});
