// Scheduled runs end to end through the HTTP API, with the scheduler loop and the worker of a real server: a fake
// clock decides when schedules are due, the worker really copies and delivers. A bulk sync "every minute" fires at
// the minute, and a model sync with runafter on it runs when the bulk run has completed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createFakeClock } from '../kit/fake-clock.ts';
import { createModelSyncWorld, syncBody, type ModelSyncWorld } from './model-sync-kit.ts';

describe('scheduled executions through the API', () => {
  const clock = createFakeClock('2026-01-01T00:00:30.000Z');
  let server: TestFerry;
  let world: ModelSyncWorld;

  before(async () => {
    server = await startFerry('sqlite', { FERRY_SCHEDULER: 'true' }, { clock });
    world = await createModelSyncWorld(server);
  });
  after(async () => {
    await server?.close();
    world?.remove();
  });

  const get = async (path: string) => {
    const response = await call(server.url, 'GET', path, { key: server.apiKey });
    assert.equal(response.status, 200, response.text);
    return response.body.data;
  };
  /** Real time: the worker runs the execution for real. */
  const untilFinished = async (path: string) => {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const executions = (await get(path)) as Array<{
        status: string;
        type: string;
        created_at: string;
        record_count: number;
      }>;
      if (executions.length > 0 && executions.every((e) => ['completed', 'failed', 'canceled'].includes(e.status)))
        return executions;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${path}: no finished execution`);
  };

  test('every minute fires at the minute; the runafter follower runs when the bulk run completed', async () => {
    const scheduler = server.ferry.worker!.scheduler!;
    const bulk = await call(server.url, 'POST', '/api/bulk/syncs', {
      key: server.apiKey,
      body: {
        name: 'Every minute',
        source_connection_id: world.sourceConnectionId,
        destination_connection_id: world.targetConnectionId,
        destination_configuration: {},
        schemas: ['users'],
        default_schedule: { frequency: 'custom', minute: '*/1', hour: '*' },
      },
    });
    assert.equal(bulk.status, 200, bulk.text);
    const bulkId = bulk.body.data.id;
    const follower = await call(server.url, 'POST', '/api/syncs', {
      key: server.apiKey,
      body: syncBody(world, { schedule: { frequency: 'runafter', run_after: { bulk_sync_ids: [bulkId] } } }),
    });
    assert.equal(follower.status, 200, follower.text);
    const followerId = follower.body.data.id;

    scheduler.nudge();
    await scheduler.settled();
    assert.equal((await get(`/api/bulk/syncs/${bulkId}/status`)).next_execution_time, '2026-01-01T00:01:00.000Z');
    assert.deepEqual(await get(`/api/bulk/syncs/${bulkId}/executions`), []);

    await clock.advanceTo('2026-01-01T00:01:00.000Z');
    await scheduler.settled();
    const [run] = await untilFinished(`/api/bulk/syncs/${bulkId}/executions`);
    assert.equal(run.type, 'scheduled');
    assert.equal(run.status, 'completed');
    assert.equal(run.created_at, '2026-01-01T00:01:00.000Z');
    assert.equal(run.record_count, 3);

    // The worker's finish nudges the scheduler, which starts the follower.
    await scheduler.settled();
    const [followed] = await untilFinished(`/api/syncs/${followerId}/executions`);
    assert.equal(followed.type, 'scheduled');
    assert.equal(followed.status, 'completed');
    assert.equal((await get(`/api/bulk/syncs/${bulkId}/status`)).next_execution_time, '2026-01-01T00:02:00.000Z');
    // The scheduler's delay is measured on the same clock: due and started at the same fake instant.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /ferry_scheduler_delay_seconds_bucket\{le="0.05",kind="bulk"\} 1/);
    assert.match(metrics, /ferry_scheduler_delay_seconds_count\{kind="model"\} 1/);
  });
});
