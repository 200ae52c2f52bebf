// Events and webhooks end to end: real model and bulk syncs on SQLite record their events, GET /api/events lists
// them, and a signed receiver on 127.0.0.1 gets each one (retried when it fails, nothing while disabled).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import type { ReadBack } from '../kit/read-back.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';
import { waitForExecution } from './model-sync-execution-kit.ts';
import { startEventReceiver, type EventReceiver } from './events-webhooks-kit.ts';

const secret = 'events-webhook-secret';

for (const dialect of await availableDialects()) {
  describe(`events and webhooks (${dialect} metadata)`, () => {
    let server: TestFerry;
    let world: ModelSyncWorld;
    let receiver: EventReceiver;
    let syncId: string;
    let webhookId: string;

    before(async () => {
      server = await startFerry(dialect, { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true', FERRY_WEBHOOK_RETRY_BASE_MS: '20' });
      world = await createModelSyncWorld(server);
      receiver = await startEventReceiver(secret);
      const created = await call(server.url, 'POST', '/api/syncs', { key: server.apiKey, body: syncBody(world) });
      assert.equal(created.status, 200, created.text);
      syncId = created.body.data.id;
    });
    after(async () => {
      await server.close();
      await receiver.close();
      world.remove();
    });

    const runModelSync = async () => {
      const started = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, {
        key: server.apiKey,
        body: {},
      });
      assert.equal(started.status, 200, started.text);
      const execution = await waitForExecution(server.url, server.apiKey, syncId, started.body.data.id);
      assert.equal(execution.status, 'completed');
      return execution.id as string;
    };

    test('the webhook routes: create (secret never returned), one per organization, address policy, 4xx naming the field', async () => {
      const created = await call(server.url, 'POST', '/api/webhooks', {
        key: server.apiKey,
        body: { endpoint: receiver.url, secret },
      });
      assert.equal(created.status, 200, created.text);
      webhookId = created.body.data.id;
      assert.equal(created.body.data.endpoint, receiver.url);
      assert.equal(created.body.data.disabled, false);
      assert.equal(created.body.data.organization_id, server.organizationId);
      assert.equal(created.body.data.secret, undefined);
      const stored = await server.ferry.context.repositories.webhooks.getAnywhere(webhookId);
      assert.ok(stored && !stored.secret_sealed.includes(secret), 'the secret is sealed at rest');

      const second = await call(server.url, 'POST', '/api/webhooks', {
        key: server.apiKey,
        body: { endpoint: receiver.url, secret },
      });
      assert.equal(second.status, 422, second.text);
      assert.equal(second.body.metadata.field, 'organization_id');
      const metadata = await call(server.url, 'PUT', `/api/webhooks/${webhookId}`, {
        key: server.apiKey,
        body: { endpoint: 'http://169.254.169.254/latest', secret },
      });
      assert.equal(metadata.status, 422, metadata.text);
      assert.equal(metadata.body.metadata.field, 'endpoint');
      const noSecret = await call(server.url, 'POST', '/api/webhooks', {
        key: server.apiKey,
        body: { endpoint: receiver.url },
      });
      assert.equal(noSecret.status, 400, noSecret.text);
      assert.match(noSecret.text, /secret/);
      const extra = await call(server.url, 'POST', '/api/webhooks', {
        key: server.apiKey,
        body: { endpoint: receiver.url, secret, colour: 'red' },
      });
      assert.equal(extra.status, 400, extra.text);
      const elsewhere = await call(server.url, 'POST', '/api/webhooks', {
        key: server.partnerKey,
        body: { endpoint: receiver.url, secret, organization_id: '00000000-0000-4000-8000-000000000000' },
      });
      assert.equal(elsewhere.status, 404, elsewhere.text);

      for (const version of ['2025-09-18', '2024-02-08']) {
        const listed = await call(server.url, 'GET', '/api/webhooks', { key: server.apiKey, version });
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(
          listed.body.data.map((webhook: ReadBack) => webhook.id),
          [webhookId],
        );
        const got = await call(server.url, 'GET', `/api/webhooks/${webhookId}`, { key: server.apiKey, version });
        assert.equal(got.status, 200, got.text);
        assert.equal(got.body.data.secret, undefined);
      }
      const missing = await call(server.url, 'GET', '/api/webhooks/00000000-0000-4000-8000-000000000000', {
        key: server.apiKey,
      });
      assert.equal(missing.status, 404);
    });

    test('a model sync records sync.running then sync.completed; the receiver verifies both, and the record-log links download', async () => {
      const executionId = await runModelSync();
      await receiver.waitFor(
        (events) => events.filter((event) => event.event.execution_id === executionId).length === 2,
      );
      const mine = receiver.events.filter((event) => event.event.execution_id === executionId);
      assert.deepEqual(mine.map((event) => event.type).sort(), ['sync.completed', 'sync.running']);
      assert.equal(receiver.unverified, 0);
      const completed = mine.find((event) => event.type === 'sync.completed')!;
      assert.equal(completed.organization_id, server.organizationId);
      assert.equal(completed.event.sync_id, syncId);
      assert.equal(completed.event.sync_name, 'Users to contacts');
      assert.equal(completed.event.target_connection_id, world.targetConnectionId);
      assert.equal(completed.event.record_count, 3);
      assert.equal(completed.event.inserted_count, 3);
      assert.equal(completed.event.status, 'completed');
      assert.ok(completed.event.total_records.length >= 1, JSON.stringify(completed.event));
      const file = await fetch(completed.event.total_records[0]);
      assert.equal(file.status, 200);
      assert.ok((await file.arrayBuffer()).byteLength > 0);

      for (const version of ['2025-09-18', '2024-02-08']) {
        const listed = await call(server.url, 'GET', '/api/events', { key: server.apiKey, version });
        assert.equal(listed.status, 200, listed.text);
        const types = listed.body.data
          .filter((event: ReadBack) => event.event.execution_id === executionId)
          .map((event: ReadBack) => event.type);
        assert.deepEqual(types, ['sync.completed', 'sync.running'], 'newest first');
      }
      const onlyRunning = await call(server.url, 'GET', '/api/events?type=sync.running&limit=1', {
        key: server.apiKey,
      });
      assert.equal(onlyRunning.status, 200, onlyRunning.text);
      assert.equal(onlyRunning.body.data.length, 1);
      assert.equal(onlyRunning.body.data[0].type, 'sync.running');
      const running = onlyRunning.body.data[0];
      const after = await call(
        server.url,
        'GET',
        `/api/events?starting_after=${encodeURIComponent(running.created_at)}&type=sync.completed`,
        { key: server.apiKey },
      );
      assert.ok(after.body.data.some((event: ReadBack) => event.event.execution_id === executionId));
      const before = await call(
        server.url,
        'GET',
        `/api/events?ending_before=${encodeURIComponent(running.created_at)}`,
        { key: server.apiKey },
      );
      assert.ok(!before.body.data.some((event: ReadBack) => event.event.execution_id === executionId));

      const types = await call(server.url, 'GET', '/api/events_types', { key: server.apiKey });
      assert.equal(types.status, 200);
      assert.equal(types.body.data.length, 10);
      assert.ok(types.body.data.includes('bulk_sync.completed_with_error'));
      const badType = await call(server.url, 'GET', '/api/events?type=sync.exploded', { key: server.apiKey });
      assert.equal(badType.status, 400, badType.text);
      assert.equal(badType.body.metadata.field, 'type');
      const badTime = await call(server.url, 'GET', '/api/events?starting_after=yesterday', { key: server.apiKey });
      assert.equal(badTime.status, 400, badTime.text);
      assert.equal(badTime.body.metadata.field, 'starting_after');
      const tooMany = await call(server.url, 'GET', '/api/events?limit=101', { key: server.apiKey });
      assert.equal(tooMany.status, 400, tooMany.text);
      const partner = await call(server.url, 'GET', `/api/events?organization_id=${server.organizationId}`, {
        key: server.partnerKey,
      });
      assert.equal(partner.status, 200, partner.text);
      assert.ok(partner.body.data.some((event: ReadBack) => event.event.execution_id === executionId));
      const foreign = await call(
        server.url,
        'GET',
        '/api/events?organization_id=00000000-0000-4000-8000-000000000000',
        {
          key: server.partnerKey,
        },
      );
      assert.equal(foreign.status, 404, foreign.text);
    });

    test('a bulk sync records bulk_sync.running then bulk_sync.completed', async () => {
      const created = await call(server.url, 'POST', '/api/bulk/syncs', {
        key: server.apiKey,
        body: {
          name: 'Copy users',
          source_connection_id: world.sourceConnectionId,
          destination_connection_id: world.targetConnectionId,
          destination_configuration: {},
          default_schedule: { frequency: 'manual' },
          schemas: ['users'],
        },
      });
      assert.equal(created.status, 200, created.text);
      const bulkId = created.body.data.id;
      const started = await call(server.url, 'POST', `/api/bulk/syncs/${bulkId}/executions`, {
        key: server.apiKey,
        body: {},
      });
      assert.equal(started.status, 200, started.text);
      const executionId = started.body.data.id;
      await receiver.waitFor((events) =>
        events.some((event) => event.event.execution_id === executionId && event.type !== 'bulk_sync.running'),
      );
      const mine = receiver.events.filter((event) => event.event.execution_id === executionId);
      assert.deepEqual(
        mine.map((event) => event.type),
        ['bulk_sync.running', 'bulk_sync.completed'],
      );
      const completed = mine[1];
      assert.equal(completed.event.sync_name, 'Copy users');
      assert.equal(completed.event.source_connection_id, world.sourceConnectionId);
      assert.equal(completed.event.destination_connection_id, world.targetConnectionId);
      assert.equal(completed.event.trigger_source, 'manual');
    });

    test('a failing receiver gets the retries, each attempt recorded; a disabled webhook receives nothing', async () => {
      receiver.failNext = { count: 2, status: 500 };
      const executionId = await runModelSync();
      await receiver.waitFor(
        (events) => events.filter((event) => event.event.execution_id === executionId).length === 2,
      );
      const deliveries = await call(server.url, 'GET', `/api/webhooks/${webhookId}/deliveries?limit=500`, {
        key: server.apiKey,
      });
      assert.equal(deliveries.status, 200, deliveries.text);
      const failed = deliveries.body.data.filter((delivery: ReadBack) => delivery.status === 500);
      assert.equal(failed.length, 2);
      for (const delivery of failed) assert.equal(delivery.error, 'HTTP 500');
      const retried = deliveries.body.data.filter((delivery: ReadBack) => delivery.event_id === failed[0].event_id);
      assert.deepEqual(
        retried.map((delivery: ReadBack) => delivery.status).reverse(),
        [...retried.map((delivery: ReadBack) => delivery.status)].reverse().sort((a: number, b: number) => b - a),
      );
      assert.ok(retried.some((delivery: ReadBack) => delivery.status === 204));
      for (const delivery of deliveries.body.data) assert.equal(typeof delivery.latency_ms, 'number');

      const disabled = await call(server.url, 'POST', `/api/webhooks/${webhookId}/disable`, { key: server.apiKey });
      assert.equal(disabled.status, 200, disabled.text);
      assert.equal(disabled.body.data.disabled, true);
      const received = receiver.received;
      const quiet = await runModelSync();
      const events = await call(server.url, 'GET', '/api/events?limit=100', { key: server.apiKey });
      assert.equal(events.body.data.filter((event: ReadBack) => event.event.execution_id === quiet).length, 2);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(receiver.received, received, 'nothing is delivered to a disabled webhook');
      const enabled = await call(server.url, 'POST', `/api/webhooks/${webhookId}/enable`, { key: server.apiKey });
      assert.equal(enabled.body.data.disabled, false);

      const removed = await call(server.url, 'DELETE', `/api/webhooks/${webhookId}`, { key: server.apiKey });
      assert.equal(removed.status, 204, removed.text);
      assert.equal((await call(server.url, 'GET', `/api/webhooks/${webhookId}`, { key: server.apiKey })).status, 404);
    });
  });
}
