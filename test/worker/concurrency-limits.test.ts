// Bounded concurrency with real processes on PostgreSQL: FERRY_WORKER_CONCURRENCY caps what one worker process runs,
// and FERRY_ORGANIZATION_CONCURRENCY caps what one organization runs across every worker, so that another
// organization's sync starts while the first one's backlog waits. The executions are real model syncs into a slow
// webhook; what ran at once is sampled from the executions table throughout.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { call } from '../kit/ferry-server.ts';
import { startFerryProcesses, workerRunning, type FerryProcesses } from '../kit/ferry-processes.ts';
import { postgresUnavailable } from '../kit/services.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  startExecution,
  syncRequest,
  type ExecutionWorld,
  type FerryApi,
} from '../api/model-sync-execution-kit.ts';

interface Sample {
  /** Running (or canceling) executions by organization. */
  running: Map<string, number>;
  /** Executions not started yet by organization. */
  waiting: Map<string, number>;
  /** Executions not finished, by organization. */
  open: Map<string, number>;
}

/** Samples the model-sync executions table every 25 ms until stop(). */
function sampleExecutions(ferry: FerryProcesses) {
  const samples: Sample[] = [];
  const client = new pg.Client({ connectionString: ferry.metadata!.url });
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ organization_id: string; status: string; n: number }>(
        'select organization_id, status, count(*)::int as n from model_sync_executions group by 1, 2',
      );
      const sample: Sample = { running: new Map(), waiting: new Map(), open: new Map() };
      const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
      for (const row of rows) {
        if (['running', 'canceling'].includes(row.status)) add(sample.running, row.organization_id, row.n);
        else if (!['completed', 'failed', 'canceled', 'interrupted'].includes(row.status))
          add(sample.waiting, row.organization_id, row.n);
        if (!['completed', 'failed', 'canceled', 'interrupted'].includes(row.status))
          add(sample.open, row.organization_id, row.n);
      }
      samples.push(sample);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await client.end();
  })();
  return {
    samples,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

const total = (map: Map<string, number>) => [...map.values()].reduce((sum, n) => sum + n, 0);

async function waitFor(what: string, probe: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Creates `count` append syncs of the world's model into its slow webhook and starts them all. */
async function startSyncs(api: FerryApi, world: ExecutionWorld, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const syncId = await createSync(api, { ...syncRequest(world, 'append', 'webhook'), name: `Sync ${index}` });
    await startExecution(api, syncId);
  }
}

async function secondOrganization(ferry: FerryProcesses): Promise<{ organizationId: string; key: string }> {
  const organizationId = (
    await call(ferry.url, 'POST', '/api/organizations', { key: ferry.partnerKey, body: { name: 'Tenant B' } })
  ).body.data.id;
  const userId = (
    await call(ferry.url, 'POST', `/api/organizations/${organizationId}/users`, {
      key: ferry.partnerKey,
      body: { email: 'owner@b.example' },
    })
  ).body.data.id;
  const key = (
    await call(ferry.url, 'POST', `/api/organizations/${organizationId}/users/${userId}/keys`, {
      key: ferry.partnerKey,
    })
  ).body.data.value;
  return { organizationId, key };
}

describe('bounded concurrency', { skip: await postgresUnavailable() }, () => {
  test('FERRY_WORKER_CONCURRENCY=2: one worker process never runs more than 2 executions at once', async () => {
    const ferry = await startFerryProcesses({ FERRY_WORKER_CONCURRENCY: '2' });
    let world: ExecutionWorld | undefined;
    try {
      await ferry.serve();
      const api = { url: ferry.url, apiKey: ferry.apiKey };
      world = await createExecutionWorld(api, range(1, 2000));
      world.receiver.delayMs = 400;
      await workerRunning(ferry.worker());
      const sampler = sampleExecutions(ferry);
      await startSyncs(api, world, 5);
      await waitFor('all five executions to finish', () => {
        const last = sampler.samples.at(-1);
        return last !== undefined && sampler.samples.length > 10 && total(last.open) === 0;
      });
      await sampler.stop();
      const peak = Math.max(...sampler.samples.map((sample) => total(sample.running)));
      assert.equal(peak, 2, `at most 2 at once, and 2 reached (peak ${peak})`);
      assert.equal(world.receiver.appended.length, 5 * 2000, 'every execution delivered its rows');
    } finally {
      await ferry.close();
      await world?.remove();
    }
  });

  test("FERRY_ORGANIZATION_CONCURRENCY=2 across two workers: one tenant's backlog waits, another tenant's sync starts", async () => {
    // Two workers of 3 slots each: room for 6, so only the organization limit holds tenant A to 2.
    const ferry = await startFerryProcesses({ FERRY_WORKER_CONCURRENCY: '3', FERRY_ORGANIZATION_CONCURRENCY: '2' });
    const worlds: ExecutionWorld[] = [];
    try {
      await ferry.serve();
      const tenantA = { url: ferry.url, apiKey: ferry.apiKey };
      const b = await secondOrganization(ferry);
      const tenantB = { url: ferry.url, apiKey: b.key };
      const worldA = await createExecutionWorld(tenantA, range(1, 2000));
      worlds.push(worldA);
      const worldB = await createExecutionWorld(tenantB, range(1, 2000));
      worlds.push(worldB);
      worldA.receiver.delayMs = 700;
      worldB.receiver.delayMs = 200;
      await Promise.all([workerRunning(ferry.worker()), workerRunning(ferry.worker())]);
      const organizationA = (await call(ferry.url, 'GET', '/api/me', { key: ferry.apiKey })).body.data.organization_id;
      assert.ok(organizationA, 'tenant A has an organization');

      const sampler = sampleExecutions(ferry);
      await startSyncs(tenantA, worldA, 6);
      await waitFor("tenant A's limit to be reached", () =>
        sampler.samples.some((sample) => (sample.running.get(organizationA) ?? 0) === 2),
      );
      await startSyncs(tenantB, worldB, 1);
      await waitFor('every execution to finish', () => {
        const last = sampler.samples.at(-1);
        return (
          last !== undefined &&
          sampler.samples.some((sample) => (sample.running.get(b.organizationId) ?? 0) > 0) &&
          total(last.open) === 0
        );
      });
      await sampler.stop();

      const peakA = Math.max(...sampler.samples.map((sample) => sample.running.get(organizationA) ?? 0));
      assert.equal(peakA, 2, `tenant A never ran more than its limit of 2 (peak ${peakA})`);
      const peakAll = Math.max(...sampler.samples.map((sample) => total(sample.running)));
      assert.ok(peakAll <= 3, `at most tenant A's 2 and tenant B's 1 at once (peak ${peakAll})`);
      const bStarted = sampler.samples.find((sample) => (sample.running.get(b.organizationId) ?? 0) > 0)!;
      assert.ok(
        (bStarted.waiting.get(organizationA) ?? 0) > 0,
        `tenant B's sync started while ${bStarted.waiting.get(organizationA) ?? 0} of tenant A's waited`,
      );
      assert.equal(worldA.receiver.appended.length, 6 * 2000, "every one of tenant A's executions delivered");
      assert.equal(worldB.receiver.appended.length, 2000, "tenant B's execution delivered");
    } finally {
      await ferry.close();
      for (const world of worlds) await world.remove();
    }
  });
});
