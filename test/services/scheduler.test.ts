// The scheduler, round by round, on a fake clock and a real SQLite metadata database: every frequency, UTC edge
// cases, coalescing, missed runs, merged bulk schedules, runafter chains, inactive syncs, and next_execution_time
// agreeing with what fires. The worker role is off, so an execution stays open until the test finishes it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call } from '../kit/ferry-server.ts';
import { startSchedulerWorld, type SchedulerWorld } from './scheduler-kit.ts';
import { fireDueSchedules } from '../../src/services/scheduling/schedule-claims.ts';
import { onScheduleFired, startScheduler } from '../../src/worker/scheduler.ts';

describe('the scheduler', () => {
  let w: SchedulerWorld;
  before(async () => {
    w = await startSchedulerWorld('2026-01-01T00:00:00.000Z');
  });
  after(async () => {
    await w.close();
  });

  /** Moves the clock and runs one round; returns how many executions it started. */
  const at = async (time: string) => {
    await w.clock.advanceTo(time);
    return (await w.round()).fired.length;
  };

  test('hourly: fires at the minute, once per due time, as a scheduled execution that says which schedule fired it', async () => {
    const id = await w.createBulkSync({ default_schedule: { frequency: 'hourly', minute: '15' } });
    await w.round();
    assert.equal((await w.status('bulk', id)).next_execution_time, '2026-01-01T00:15:00.000Z');
    assert.equal(await at('2026-01-01T00:14:59.999Z'), 0);
    const fired = await at('2026-01-01T00:15:00.000Z');
    assert.equal(fired, 1);
    assert.equal(await at('2026-01-01T00:15:00.000Z'), 0, 'a second round at the same time fires nothing');
    const [execution] = await w.executions('bulk', id);
    assert.equal(execution.type, 'scheduled');
    const stored = JSON.parse((await w.server.ferry.context.repositories.bulkSyncs.getAnywhere(id))!.schedules);
    assert.equal(execution.schedule_id, stored.default_schedule.id, 'the row names the schedule that fired it');
    const wire = await call(w.server.url, 'GET', `/api/bulk/syncs/${id}/executions/${execution.id}`, {
      key: w.server.apiKey,
    });
    assert.equal(wire.body.data.type, 'scheduled');
    const log = await call(w.server.url, 'GET', `/api/bulk/syncs/${id}/executions/${execution.id}/consolelog`, {
      key: w.server.apiKey,
    });
    assert.match(
      log.text,
      /Started by the scheduler: schedule [\w-]+ \(hourly: minute 15\), due at 2026-01-01T00:15:00.000Z/,
    );
    await w.finish('bulk', execution.id);
    assert.equal((await w.status('bulk', id)).next_execution_time, '2026-01-01T01:15:00.000Z');
    assert.equal(await at('2026-01-01T01:15:00.000Z'), 1);
    await w.finish('bulk', (await w.executions('bulk', id))[1].id);
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('a manual start still says manual', async () => {
    const id = await w.createBulkSync({ default_schedule: { frequency: 'manual' } });
    const started = await call(w.server.url, 'POST', `/api/bulk/syncs/${id}/executions`, {
      key: w.server.apiKey,
      body: {},
    });
    assert.equal(started.status, 200, started.text);
    assert.equal(started.body.data.type, 'manual');
    assert.equal(await at('2026-01-01T02:00:00.000Z'), 0);
    await w.finish('bulk', started.body.data.id);
  });

  test('missed runs run once: ten hours of downtime give one execution, then the rhythm resumes', async () => {
    const id = await w.createModelSync({ schedule: { frequency: 'hourly', minute: '30' } });
    await w.round();
    assert.equal(await at('2026-01-01T12:45:00.000Z'), 1);
    const executions = await w.executions('model', id);
    assert.equal(executions.length, 1);
    assert.equal(executions[0].type, 'scheduled');
    await w.finish('model', executions[0].id);
    assert.equal((await w.status('model', id)).next_execution_time, '2026-01-01T13:30:00.000Z');
    assert.equal(await at('2026-01-01T13:29:00.000Z'), 0);
    assert.equal(await at('2026-01-01T13:30:00.000Z'), 1);
    await w.finish('model', (await w.executions('model', id))[1].id);
    await w.server.ferry.context.repositories.modelSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('coalescing: due times that pass while a run is open fire once, after it', async () => {
    const id = await w.createModelSync({ schedule: { frequency: 'hourly', minute: '00' } });
    await w.round();
    assert.equal(await at('2026-01-01T14:00:00.000Z'), 1);
    assert.equal(await at('2026-01-01T15:00:00.000Z'), 0);
    assert.equal(await at('2026-01-01T16:00:00.000Z'), 0);
    assert.equal((await w.executions('model', id)).length, 1);
    await w.clock.advanceTo('2026-01-01T16:20:00.000Z');
    await w.finish('model', (await w.executions('model', id))[0].id);
    assert.equal(await at('2026-01-01T16:20:00.000Z'), 1, 'the remembered firing runs once the open run finished');
    assert.equal(await at('2026-01-01T16:21:00.000Z'), 0, 'and only once');
    await w.finish('model', (await w.executions('model', id))[1].id);
    assert.equal(await at('2026-01-01T17:00:00.000Z'), 1, 'then it keeps its rhythm');
    assert.equal((await w.executions('model', id)).length, 3);
    await w.finish('model', (await w.executions('model', id))[2].id);
    await w.server.ferry.context.repositories.modelSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('daily at 23:59 crosses midnight and the end of February (UTC)', async () => {
    await w.clock.advanceTo('2026-02-27T12:00:00.000Z');
    const id = await w.createModelSync({ schedule: { frequency: 'daily', hour: '23', minute: '59' } });
    await w.round();
    const fires: string[] = [];
    for (const time of ['2026-02-27T23:59:00.000Z', '2026-02-28T23:59:00.000Z', '2026-03-01T23:59:00.000Z']) {
      assert.equal((await w.status('model', id)).next_execution_time, time);
      assert.equal(await at(time), 1);
      const last = (await w.executions('model', id)).at(-1)!;
      fires.push(last.created_at);
      await w.clock.advance(60_000);
      await w.finish('model', last.id);
      assert.equal(await at(new Date(w.clock.nowMs()).toISOString()), 0, '00:00 fires nothing');
    }
    assert.deepEqual(fires, ['2026-02-27T23:59:00.000Z', '2026-02-28T23:59:00.000Z', '2026-03-01T23:59:00.000Z']);
    await w.server.ferry.context.repositories.modelSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('custom cron: the 29th of February fires only in a leap year; `L` is the last day of each month', async () => {
    await w.clock.advanceTo('2026-03-02T00:00:00.000Z');
    const leap = await w.createBulkSync({
      default_schedule: { frequency: 'custom', minute: '0', hour: '0', day_of_month: '29', month: '2' },
    });
    const last = await w.createModelSync({
      schedule: { frequency: 'custom', minute: '30', hour: '23', day_of_month: 'L' },
    });
    await w.round();
    assert.equal((await w.status('bulk', leap)).next_execution_time, '2028-02-29T00:00:00.000Z');
    assert.equal((await w.status('model', last)).next_execution_time, '2026-03-31T23:30:00.000Z');
    assert.equal(await at('2026-03-31T23:29:59.000Z'), 0);
    assert.equal(await at('2026-03-31T23:30:00.000Z'), 1);
    await w.finish('model', (await w.executions('model', last))[0].id);
    assert.equal((await w.status('model', last)).next_execution_time, '2026-04-30T23:30:00.000Z');
    await w.server.ferry.context.repositories.modelSyncs.update(w.server.organizationId, last, { active: 0 });
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, leap, { active: 0 });
    await w.round();
  });

  test('weekly: every Monday at 09:30 UTC', async () => {
    // 2026-04-01 is a Wednesday.
    await w.clock.advanceTo('2026-04-01T00:00:00.000Z');
    const id = await w.createBulkSync({
      default_schedule: { frequency: 'weekly', day_of_week: 'monday', hour: '09', minute: '30' },
    });
    await w.round();
    assert.equal((await w.status('bulk', id)).next_execution_time, '2026-04-06T09:30:00.000Z');
    assert.equal(await at('2026-04-06T09:30:00.000Z'), 1);
    await w.finish('bulk', (await w.executions('bulk', id))[0].id);
    assert.equal((await w.status('bulk', id)).next_execution_time, '2026-04-13T09:30:00.000Z');
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('continuous: starts at once, then a gap after each run finishes, never while one is open', async () => {
    await w.clock.advanceTo('2026-05-01T00:00:00.000Z');
    const id = await w.createBulkSync({ default_schedule: { frequency: 'continuous' } });
    assert.equal(await at('2026-05-01T00:00:00.000Z'), 1);
    assert.equal((await w.status('bulk', id)).next_execution_time, undefined, 'unknown while its run is open');
    assert.equal(await at('2026-05-01T00:10:00.000Z'), 0);
    await w.finish('bulk', (await w.executions('bulk', id))[0].id);
    assert.equal((await w.status('bulk', id)).next_execution_time, '2026-05-01T00:11:00.000Z');
    assert.equal(await at('2026-05-01T00:10:59.999Z'), 0);
    assert.equal(await at('2026-05-01T00:11:00.000Z'), 1);
    await w.clock.advance(5_000);
    await w.finish('bulk', (await w.executions('bulk', id))[1].id, 'failed');
    assert.equal(await at('2026-05-01T00:12:05.000Z'), 1, 'a failed run is followed by the next one too');
    assert.equal((await w.executions('bulk', id)).length, 3);
    await w.finish('bulk', (await w.executions('bulk', id))[2].id);
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('two bulk schedules due together start one execution: the strongest resync mode, the merged schemas', async () => {
    await w.clock.advanceTo('2026-06-01T00:00:00.000Z');
    const id = await w.createBulkSync({
      default_schedule: { frequency: 'manual' },
      additional_schedules: [
        { frequency: 'daily', hour: '05', minute: '00', schemas: ['users'], resync_mode: 'refetch' },
        { frequency: 'daily', hour: '05', minute: '00', schemas: ['events'], resync_mode: 'rebuild' },
        { frequency: 'daily', hour: '06', minute: '00', schemas: ['events'], resync_mode: 'resync' },
      ],
    });
    await w.round();
    assert.equal(await at('2026-06-01T05:00:00.000Z'), 1);
    let [execution] = await w.executions('bulk', id);
    assert.equal(execution.resync_mode, 'rebuild');
    assert.equal(execution.schedule_id.split(',').length, 2, 'both schedules that fired it');
    assert.deepEqual(JSON.parse(execution.requested_schemas), ['events', 'users'].sort());
    await w.finish('bulk', execution.id);
    assert.equal(await at('2026-06-01T06:00:00.000Z'), 1);
    execution = (await w.executions('bulk', id))[1];
    assert.equal(execution.resync_mode, 'resync');
    assert.deepEqual(JSON.parse(execution.requested_schemas), ['events']);
    await w.finish('bulk', execution.id);
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('the default schedule due with a narrower rebuild runs every schema, rebuilt', async () => {
    await w.clock.advanceTo('2026-06-02T00:00:00.000Z');
    const id = await w.createBulkSync({
      default_schedule: { frequency: 'daily', hour: '07', minute: '00' },
      additional_schedules: [
        { frequency: 'daily', hour: '07', minute: '00', schemas: ['users'], resync_mode: 'rebuild' },
      ],
    });
    await w.round();
    assert.equal(await at('2026-06-02T07:00:00.000Z'), 1);
    const [execution] = await w.executions('bulk', id);
    assert.equal(execution.resync_mode, 'rebuild');
    assert.equal(execution.requested_schemas, null);
    await w.finish('bulk', execution.id);
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('2024-02-08 multi items fire through the stored schedules, each on its own kind of schema', async () => {
    await w.clock.advanceTo('2026-06-03T04:30:00.000Z');
    const created = await call(w.server.url, 'POST', '/api/bulk/syncs', {
      key: w.server.apiKey,
      version: '2024-02-08',
      body: {
        name: 'Legacy multi',
        source_connection_id: w.world.sourceConnectionId,
        destination_connection_id: w.world.targetConnectionId,
        destination_configuration: {},
        schemas: [{ id: 'users', tracking_field: 'id' }, 'events'],
        schedule: {
          frequency: 'multi',
          multi: {
            schedules: [
              { item: 'incrementalFields', schedule: { frequency: 'hourly', minute: '20' } },
              { item: 'nonincrementalFields', schedule: { frequency: 'daily', hour: '05', minute: '00' } },
            ],
          },
        },
      },
    });
    assert.equal(created.status, 200, created.text);
    const id = created.body.data.id;
    await w.round();
    assert.equal((await w.status('bulk', id)).next_execution_time, '2026-06-03T05:00:00.000Z');
    assert.equal(await at('2026-06-03T05:00:00.000Z'), 1);
    let execution = (await w.executions('bulk', id))[0];
    assert.deepEqual(JSON.parse(execution.requested_schemas), ['events'], 'the nonincremental item: events only');
    await w.finish('bulk', execution.id);
    assert.equal(await at('2026-06-03T05:20:00.000Z'), 1);
    execution = (await w.executions('bulk', id))[1];
    assert.equal(execution.requested_schemas, null, 'the first item became the default schedule: every schema');
    await w.finish('bulk', execution.id);
    await w.server.ferry.context.repositories.bulkSyncs.update(w.server.organizationId, id, { active: 0 });
  });

  test('an inactive sync never fires and shows no next execution time', async () => {
    await w.clock.advanceTo('2026-07-01T00:00:00.000Z');
    const id = await w.createModelSync({ active: false, schedule: { frequency: 'hourly', minute: '05' } });
    await w.round();
    assert.equal((await w.status('model', id)).next_execution_time, undefined);
    assert.equal(await at('2026-07-01T05:06:00.000Z'), 0);
    assert.equal((await w.executions('model', id)).length, 0);
  });

  test('runafter: a chain of model syncs after a bulk sync, honouring run_after_success_only', async () => {
    await w.clock.advanceTo('2026-08-01T00:00:00.000Z');
    const bulk = await w.createBulkSync({ default_schedule: { frequency: 'manual' } });
    const first = await w.createModelSync({
      schedule: { frequency: 'runafter', run_after: { bulk_sync_ids: [bulk] } },
    });
    const second = await w.createModelSync({
      schedule: { frequency: 'runafter', run_after: { sync_ids: [first] }, run_after_success_only: true },
    });
    await w.round();
    assert.equal((await w.status('model', first)).next_execution_time, undefined);
    const started = await call(w.server.url, 'POST', `/api/bulk/syncs/${bulk}/executions`, {
      key: w.server.apiKey,
      body: {},
    });
    assert.equal(await at('2026-08-01T00:01:00.000Z'), 0, 'nothing while the bulk run is open');
    await w.finish('bulk', started.body.data.id);
    assert.equal(await at('2026-08-01T00:01:01.000Z'), 1);
    const [firstRun] = await w.executions('model', first);
    assert.equal(firstRun.type, 'scheduled');
    assert.equal(await at('2026-08-01T00:01:02.000Z'), 0, 'one completion fires once');
    await w.finish('model', firstRun.id, 'failed');
    assert.equal(await at('2026-08-01T00:02:00.000Z'), 0, 'a failed run does not fire a success-only follower');
    assert.equal((await w.executions('model', second)).length, 0);

    const again = await call(w.server.url, 'POST', `/api/bulk/syncs/${bulk}/executions`, {
      key: w.server.apiKey,
      body: {},
    });
    await w.clock.advance(1_000);
    await w.finish('bulk', again.body.data.id);
    assert.equal(await at('2026-08-01T00:03:00.000Z'), 1);
    await w.clock.advance(1_000);
    await w.finish('model', (await w.executions('model', first))[1].id);
    assert.equal(await at('2026-08-01T00:04:00.000Z'), 1, 'the successful run fires the success-only follower');
    assert.equal((await w.executions('model', second)).length, 1);
    await w.finish('model', (await w.executions('model', second))[0].id);
  });

  test('two rounds at once fire a due schedule once', async () => {
    await w.clock.advanceTo('2026-09-01T00:00:00.000Z');
    const ids = [];
    for (let index = 0; index < 5; index += 1)
      ids.push(await w.createModelSync({ schedule: { frequency: 'hourly', minute: '10' } }));
    await w.round();
    await w.clock.advanceTo('2026-09-01T00:10:00.000Z');
    const { context } = w.server.ferry;
    const rounds = await Promise.all([1, 2, 3].map(() => fireDueSchedules(context, w.services, w.clock.now())));
    assert.equal(
      rounds.reduce((sum, round) => sum + round.fired.length, 0),
      5,
    );
    for (const id of ids) {
      const executions = await w.executions('model', id);
      assert.equal(executions.length, 1);
      await w.finish('model', executions[0].id);
      await context.repositories.modelSyncs.update(w.server.organizationId, id, { active: 0 });
    }
  });

  test('the loop wakes at the due time on the fake clock and reports each firing', async () => {
    await w.clock.advanceTo('2026-10-01T00:00:30.000Z');
    const id = await w.createModelSync({ schedule: { frequency: 'custom', minute: '*/1', hour: '*' } });
    const { context } = w.server.ferry;
    const events: Array<{ dueAt: Date; startedAt: Date }> = [];
    const unsubscribe = onScheduleFired((event) => {
      if (event.syncId === id) events.push(event);
    });
    const scheduler = startScheduler(context, w.services, { pollMs: 5_000 });
    try {
      await scheduler.settled();
      for (const minute of ['01', '02', '03']) {
        await w.clock.advanceTo(`2026-10-01T00:${minute}:00.000Z`);
        await scheduler.settled();
        const executions = await w.executions('model', id);
        assert.equal(executions.length, Number(minute), `fired by ${minute}`);
        await w.finish('model', executions.at(-1)!.id);
      }
      assert.deepEqual(
        events.map((event) => event.dueAt.toISOString()),
        ['2026-10-01T00:01:00.000Z', '2026-10-01T00:02:00.000Z', '2026-10-01T00:03:00.000Z'],
      );
      assert.ok(events.every((event) => event.startedAt.getTime() - event.dueAt.getTime() < 5_000));
    } finally {
      unsubscribe();
      await scheduler.stop();
      await context.repositories.modelSyncs.update(w.server.organizationId, id, { active: 0 });
    }
  });
});
