// Events outlive what can go wrong: a delivery pending when the server stops is made after it starts again on the
// same data, also when the process is killed with SIGKILL between two attempts (real `ferry serve` processes, on
// each metadata dialect), and events older than the retention period are pruned on the server's clock.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import { createLogger } from '../../src/logger.ts';
import { availableDialects, call, startFerry } from '../kit/ferry-server.ts';
import { startFerryProcesses } from '../kit/ferry-processes.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../kit/services.ts';
import { createFakeClock } from '../kit/fake-clock.ts';
import type { ReadBack } from '../kit/read-back.ts';
import { createModelSyncWorld, syncBody } from './model-sync-kit.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
} from './model-sync-execution-kit.ts';
import { startEventReceiver } from './events-webhooks-kit.ts';

const secret = 'durable-secret';

for (const dialect of await availableDialects()) {
  describe(`event durability (${dialect} metadata)`, () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-events-restart-'));
    const apiKey = `events-restart-${randomUUID()}`;
    // Both servers run on the same data: the data dir, and on PostgreSQL the same metadata database.
    let metadata: ScratchDatabase | undefined;
    before(async () => {
      if (dialect === 'postgres') metadata = await createPostgresDatabase('ferry_events_restart');
    });
    const start = async (): Promise<{ ferry: Ferry; url: string }> => {
      const config = loadConfig(
        {
          FERRY_DATA_DIR: dataDir,
          DATABASE_URL: metadata?.url ?? '',
          PORT: '0',
          HOST: '127.0.0.1',
          FERRY_BOOTSTRAP_PARTNER_KEY: `${apiKey}-partner`,
          FERRY_BOOTSTRAP_API_KEY: apiKey,
          FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true',
          // Long enough that the retry is still waiting when the server stops.
          FERRY_WEBHOOK_RETRY_BASE_MS: '1500',
        },
        {},
      );
      const ferry = await createFerry(config, { log: createLogger(process.env.FERRY_TEST_LOG_LEVEL ?? 'silent') });
      return { ferry, url: await ferry.listen() };
    };
    after(async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await metadata?.drop();
    });

    test('a delivery pending when the server stops is made after it starts again on the same data', async () => {
      const receiver = await startEventReceiver(secret);
      let first: { ferry: Ferry; url: string } | undefined = await start();
      let second: { ferry: Ferry; url: string } | undefined;
      const server = { ...first, apiKey, organizationId: first.ferry.bootstrap!.organizationId } as never;
      const world = await createModelSyncWorld(server);
      try {
        const webhook = await call(first.url, 'POST', '/api/webhooks', {
          key: apiKey,
          body: { endpoint: receiver.url, secret },
        });
        assert.equal(webhook.status, 200, webhook.text);
        const created = await call(first.url, 'POST', '/api/syncs', { key: apiKey, body: syncBody(world) });
        assert.equal(created.status, 200, created.text);
        const syncId = created.body.data.id;
        receiver.failNext = { count: 1000, status: 503 };
        const started = await call(first.url, 'POST', `/api/syncs/${syncId}/executions`, { key: apiKey, body: {} });
        const execution = await waitForExecution(first.url, apiKey, syncId, started.body.data.id);
        assert.equal(execution.status, 'completed');
        const deadline = Date.now() + 20_000;
        while (receiver.received < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.ok(receiver.received >= 2, 'both events were attempted and refused');
        await first.ferry.close();
        first = undefined;
        assert.equal(receiver.events.length, 0);

        receiver.failNext = { count: 0, status: 503 };
        second = await start();
        await receiver.waitFor(
          (events) => events.filter((event) => event.event.execution_id === execution.id).length === 2,
        );
        assert.deepEqual(receiver.events.map((event: ReadBack) => event.type).sort(), [
          'sync.completed',
          'sync.running',
        ]);
      } finally {
        await first?.ferry.close();
        await second?.ferry.close();
        await receiver.close();
        world.remove();
      }
    });
  });
}

// The real-process case needs PostgreSQL for the sync's source, whichever the metadata dialect.
const processDialects = (await postgresUnavailable()) ? [] : await availableDialects();

for (const dialect of processDialects) {
  describe(`event delivery survives kill -9 between attempts (${dialect} metadata)`, () => {
    test('the receiver refuses the first attempts, `ferry serve` is SIGKILLed before the retry, and after the restart the retry is delivered, signed', async () => {
      const receiver = await startEventReceiver(secret);
      // Retries wait up to 2 s, 4 s, … (full jitter): the kill comes first, and the restart does not wait long.
      const ferry = await startFerryProcesses({ LOG_LEVEL: 'warn', FERRY_WEBHOOK_RETRY_BASE_MS: '2000' }, dialect);
      let world: ExecutionWorld | undefined;
      try {
        const serve = await ferry.serve({ withWorker: true });
        world = await createExecutionWorld(ferry, range(1, 10));
        const webhook = await call(ferry.url, 'POST', '/api/webhooks', {
          key: ferry.apiKey,
          body: { endpoint: receiver.url, secret },
        });
        assert.equal(webhook.status, 200, webhook.text);
        const deliveries = async () =>
          (
            await call(ferry.url, 'GET', `/api/webhooks/${webhook.body.data.id}/deliveries?limit=100`, {
              key: ferry.apiKey,
            })
          ).body.data as { event_id: string; attempt: number; status: number | null }[];
        receiver.failNext = { count: 1_000_000, status: 503 };
        const syncId = await createSync(ferry, syncRequest(world, 'append', 'webhook'));
        const executionId = await startExecution(ferry, syncId);
        const execution = await waitForExecution(ferry.url, ferry.apiKey, syncId, executionId);
        assert.equal(execution.status, 'completed', JSON.stringify(execution));
        // Both events (running, completed) had an attempt refused and recorded: their retries wait in the queue.
        const deadline = Date.now() + 30_000;
        while (new Set((await deliveries()).map((attempt) => attempt.event_id)).size < 2) {
          if (Date.now() > deadline) assert.fail('the first attempts were not recorded');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await ferry.kill(serve);
        assert.equal(receiver.events.length, 0, 'nothing was accepted before the kill');
        const refused = receiver.received;
        assert.ok(refused >= 2);

        receiver.failNext = { count: 0, status: 503 };
        await ferry.serve({ withWorker: true });
        await receiver.waitFor((events) => events.length >= 2);
        assert.equal(
          receiver.unverified,
          0,
          'every delivery carried a valid Polytomic-Signature and webhook-signature',
        );
        assert.deepEqual(receiver.events.map((event: ReadBack) => event.type).sort(), [
          'sync.completed',
          'sync.running',
        ]);
        assert.ok(receiver.events.every((event: ReadBack) => event.event.execution_id === executionId));
        const log = await deliveries();
        for (const event of receiver.events) {
          const delivered = log.find((attempt) => attempt.event_id === event.id && attempt.status === 204);
          assert.ok(
            delivered && delivered.attempt > 1,
            `${event.type} was delivered by a retry: ${JSON.stringify(log)}`,
          );
        }
      } finally {
        await ferry.close();
        await receiver.close();
        await world?.remove();
      }
    });
  });
}

for (const dialect of await availableDialects()) {
  describe(`event retention (${dialect} metadata)`, () => {
    // Months before the wall clock: were the pruning on wall time, the newer event would go too.
    const clock = createFakeClock('2026-01-01T00:00:00Z');
    let server: Awaited<ReturnType<typeof startFerry>>;
    before(async () => {
      server = await startFerry(dialect, { FERRY_EVENT_RETENTION_HOURS: '48' }, { clock });
    });
    after(async () => server.close());

    test('events older than FERRY_EVENT_RETENTION_HOURS are pruned on the clock, newer ones stay', async () => {
      const hour = 60 * 60 * 1000;
      const insert = (id: string, hoursAgo: number) =>
        server.ferry.context.repositories.events.insert({
          id,
          organization_id: server.organizationId,
          type: 'sync.running',
          payload: JSON.stringify({ sync_id: id }),
          created_at: new Date(clock.nowMs() - hoursAgo * hour).toISOString(),
        });
      const old = randomUUID();
      const fresh = randomUUID();
      // 30 minutes short of the limit, and 2 hours short of it.
      await insert(old, 47.5);
      await insert(fresh, 46);
      const ids = async (): Promise<string[]> =>
        (await call(server.url, 'GET', '/api/events?limit=100', { key: server.apiKey })).body.data.map(
          (event: ReadBack) => event.id,
        );
      assert.deepEqual(await ids(), [fresh, old]);
      // The pruner runs every 10 minutes of the clock and re-arms once its delete has finished, which on a slow
      // database can be after advance() has returned: time moves in 10-minute steps, each waiting for that delete.
      for (let step = 1; step <= 8; step += 1) {
        await clock.advance(10 * 60 * 1000);
        const oldAgeHours = 47.5 + step / 6;
        if (oldAgeHours <= 48 + 1e-9) {
          assert.deepEqual(await ids(), [fresh, old], `nothing is pruned before 48 h (${step * 10} min)`);
          continue;
        }
        const deadline = Date.now() + 2_000;
        while ((await ids()).includes(old) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
        if (!(await ids()).includes(old)) break;
      }
      assert.deepEqual(await ids(), [fresh], 'the event past 48 h is gone, the one 46–47 h old stays');
    });
  });
}
