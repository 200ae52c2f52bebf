// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through every method it has for events
// (list, getTypes), webhooks (list, create, get, update, disable, enable, remove) and notifications (get and set the
// global error subscribers); the events come from a real model sync, delivered to a signed receiver. Roles and
// policies, which the client has too, are in polytomic-client-permissions.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PolytomicClient, PolytomicError } from 'polytomic';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';
import { waitForExecution } from './model-sync-execution-kit.ts';
import { startEventReceiver, type EventReceiver } from './events-webhooks-kit.ts';

const secret = 'sdk-webhook-secret';

for (const dialect of await availableDialects()) {
  describe(`official polytomic@1.18.1 client: events, webhooks and notifications at 2024-02-08 (${dialect} metadata)`, () => {
    let server: TestFerry;
    let client: PolytomicClient;
    let world: ModelSyncWorld;
    let receiver: EventReceiver;

    before(async () => {
      server = await startFerry(dialect, { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true', FERRY_WEBHOOK_RETRY_BASE_MS: '20' });
      client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
      world = await createModelSyncWorld(server);
      receiver = await startEventReceiver(secret);
    });
    after(async () => {
      await server?.close();
      await receiver?.close();
      world?.remove();
    });

    const notFound = async (request: Promise<unknown>) =>
      assert.rejects(request, (error: unknown) => error instanceof PolytomicError && error.statusCode === 404);

    test('webhooks: create, get, list, update, disable, enable and remove; the events of a sync reach the receiver and the list', async () => {
      const created = (await client.webhooks.create({ endpoint: receiver.url, secret })).data!;
      assert.equal(created.endpoint, receiver.url);
      assert.equal(created.organization_id, server.organizationId);
      assert.equal(created.disabled, false);
      assert.equal(created.secret, undefined, 'the secret is never returned');
      assert.deepEqual((await client.webhooks.get(created.id!)).data, created);
      assert.deepEqual(
        (await client.webhooks.list()).data?.map((webhook) => webhook.id),
        [created.id],
      );

      const moved = `${receiver.url}/moved`;
      const updated = (await client.webhooks.update(created.id!, { endpoint: moved, secret })).data!;
      assert.equal(updated.endpoint, moved);
      assert.equal((await client.webhooks.disable(created.id!)).data?.disabled, true);
      assert.equal((await client.webhooks.get(created.id!)).data?.disabled, true);
      assert.equal((await client.webhooks.enable(created.id!)).data?.disabled, false);

      const sync = await call(server.url, 'POST', '/api/syncs', { key: server.apiKey, body: syncBody(world) });
      assert.equal(sync.status, 200, sync.text);
      const started = await call(server.url, 'POST', `/api/syncs/${sync.body.data.id}/executions`, {
        key: server.apiKey,
        body: {},
      });
      const execution = await waitForExecution(server.url, server.apiKey, sync.body.data.id, started.body.data.id);
      assert.equal(execution.status, 'completed');
      await receiver.waitFor((events) => events.length === 2);
      assert.equal(receiver.unverified, 0);
      assert.deepEqual(receiver.events.map((event) => event.type).sort(), ['sync.completed', 'sync.running']);

      const types = (await client.events.getTypes()).data!;
      assert.equal(types.length, 10);
      assert.ok(types.includes('sync.completed') && types.includes('bulk_sync.completed_with_error'));

      const listed = (await client.events.list()).data!;
      assert.deepEqual(listed.map((event) => event.type).sort(), ['sync.completed', 'sync.running']);
      const completed = listed.find((event) => event.type === 'sync.completed')!;
      assert.equal(completed.organization_id, server.organizationId);
      assert.equal((completed.event as Record<string, unknown>).execution_id, execution.id);
      assert.deepEqual(
        receiver.events.find((event) => event.type === 'sync.completed')?.id,
        completed.id,
        'the delivery is the listed event',
      );
      const running = (await client.events.list({ type: 'sync.running', limit: 5 })).data!;
      assert.deepEqual(
        running.map((event) => event.type),
        ['sync.running'],
      );
      const before = (await client.events.list({ ending_before: '2000-01-01T00:00:00Z' })).data ?? [];
      assert.equal(before.length, 0);
      const since = (await client.events.list({ starting_after: '2000-01-01T00:00:00Z', limit: 1 })).data!;
      assert.equal(since.length, 1);
      await assert.rejects(
        client.events.list({ type: 'sync.exploded' }),
        (error: unknown) => error instanceof PolytomicError && error.statusCode === 400,
      );

      await client.webhooks.remove(created.id!);
      await notFound(client.webhooks.get(created.id!));
      assert.deepEqual((await client.webhooks.list()).data ?? [], []);
    });

    test('notifications: set and get the global error subscribers', async () => {
      assert.deepEqual((await client.notifications.getGlobalErrorSubscribers()).emails ?? [], []);
      const set = await client.notifications.setGlobalErrorSubscribers({
        emails: ['ops@example.com', 'oncall@example.com'],
      });
      assert.deepEqual(set.emails, ['ops@example.com', 'oncall@example.com']);
      assert.deepEqual((await client.notifications.getGlobalErrorSubscribers()).emails, [
        'ops@example.com',
        'oncall@example.com',
      ]);
      await assert.rejects(
        client.notifications.setGlobalErrorSubscribers({ emails: ['not an address'] }),
        (error: unknown) => error instanceof PolytomicError && error.statusCode === 400,
      );
    });
  });
}
