// Jobs: GET /api/jobs/{type}/{id} over HTTP in both versions, and the jobs service's recorded transitions
// (created → running → done | failed), cancellation on close, and runRecordedJob as a queue would call it.
import { systemClock } from '../../src/domain/clock.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { silentLogger } from '../../src/domain/run-context.ts';
import { jobsService, runRecordedJob, type JobsService } from '../../src/services/jobs-service.ts';
import { otherOrganizationKey } from './connection-data-kit.ts';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

for (const dialect of await availableDialects()) {
  describe(`jobs (${dialect} metadata)`, () => {
    let server: TestFerry;
    let jobs: JobsService;
    const getJob = (type: string, id: string, options: { key?: string; version?: string } = {}) =>
      call(server.url, 'GET', `/api/jobs/${type}/${id}`, {
        key: options.key ?? server.apiKey,
        version: options.version,
      });

    before(async () => {
      server = await startFerry(dialect);
      jobs = jobsService({ jobs: server.ferry.context.repositories.jobs, log: silentLogger, clock: systemClock });
    });
    after(async () => {
      await jobs.close();
      await server.close();
    });

    test('a job is created, runs, and is done with its result, in both versions', async () => {
      const gate = deferred();
      const started = deferred();
      const job = await jobs.start(server.organizationId, 'samplemodel', async () => {
        started.resolve();
        await gate.promise;
        return { rows: 2 };
      });
      assert.equal(job.status, 'created');
      await started.promise;
      // The running transition is written before the work starts.
      const running = await getJob('samplemodel', job.id);
      assert.equal(running.status, 200, running.text);
      assert.deepEqual(running.body.data, { job_id: job.id, type: 'samplemodel', status: 'running' });
      gate.resolve();
      await jobs.settled(job.id);
      for (const version of ['2025-09-18', '2024-02-08']) {
        const done = await getJob('samplemodel', job.id, { version });
        assert.deepEqual(
          done.body.data,
          { job_id: job.id, type: 'samplemodel', status: 'done', result: { rows: 2 } },
          version,
        );
      }
    });

    test('a failing job is failed with its message and no result', async () => {
      const job = await jobs.start(server.organizationId, 'exportlogs', async () => {
        throw new Error('the bucket refused the upload');
      });
      await jobs.settled(job.id);
      assert.deepEqual((await getJob('exportlogs', job.id)).body.data, {
        job_id: job.id,
        type: 'exportlogs',
        status: 'failed',
        error: 'the bucket refused the upload',
      });
    });

    test('unknown types are 400; unknown ids, other types and other organizations are 404', async () => {
      const job = await jobs.start(server.organizationId, 'createmodel', async () => 'ok');
      await jobs.settled(job.id);
      const unknownType = await getJob('nosuchtype', job.id);
      assert.equal(unknownType.status, 400);
      assert.equal(unknownType.body.metadata.field, 'type');
      assert.equal((await getJob('createmodel', randomUUID())).status, 404);
      assert.equal((await getJob('updatemodel', job.id)).status, 404, 'a known type that is not the job type');
      const otherKey = await otherOrganizationKey(server);
      assert.equal((await getJob('createmodel', job.id, { key: otherKey })).status, 404);
      assert.equal((await getJob('createmodel', job.id, { version: '2024-02-08', key: otherKey })).status, 404);
    });

    test('close() aborts running work, which is recorded as failed', async () => {
      const local = jobsService({
        jobs: server.ferry.context.repositories.jobs,
        log: silentLogger,
        clock: systemClock,
      });
      const job = await local.start(
        server.organizationId,
        'previewmodel',
        (context) =>
          new Promise((_resolve, reject) => {
            if (context.signal.aborted) reject(context.signal.reason);
            context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
          }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      await local.close();
      const row = await server.ferry.context.repositories.jobs.get(server.organizationId, job.id);
      assert.equal(row?.status, 'failed');
      assert.match(row?.error ?? '', /shutting down/);
    });

    test('runRecordedJob records the same transitions for a job row made elsewhere (as a queue worker would)', async () => {
      const id = randomUUID();
      const now = new Date().toISOString();
      await server.ferry.context.repositories.jobs.insert({
        id,
        organization_id: server.organizationId,
        type: 'createmodel',
        status: 'created',
        result: null,
        error: null,
        created_at: now,
        updated_at: now,
      });
      await runRecordedJob(server.ferry.context.repositories.jobs, systemClock, id, async () => ({ model_id: 'm1' }), {
        signal: new AbortController().signal,
        log: silentLogger,
        heartbeat() {},
      });
      assert.deepEqual((await getJob('createmodel', id)).body.data, {
        job_id: id,
        type: 'createmodel',
        status: 'done',
        result: { model_id: 'm1' },
      });
    });
  });
}
