// The one suite every JobQueue adapter runs (one shared suite per port: CONTRIBUTING.md). An adapter's test file
// supplies a harness that makes a fresh database and queues on it; the cases below only speak the port.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/persistence/schema.ts';
import type { ChildProcess } from 'node:child_process';
import type { JobHandler, JobQueue, RunningWorker, StartOptions } from '../../src/queue/job-queue.ts';
import type { VanishingWorkerOptions } from './vanishing-worker.ts';

interface QueueFixture {
  db: Kysely<Database>;
  /** The queue under test, prepared. */
  queue: JobQueue;
  /** Another queue instance on the same database with its own connections, as a second process would have. */
  openAnother(): Promise<JobQueue>;
  /** argv (after `node --import tsx`) of test/queue/vanishing-worker.ts for this database. */
  vanishingWorkerArgs: string[];
  dispose(): Promise<void>;
}

export interface QueueHarness {
  name: string;
  /** Set when the adapter cannot run here; every case is skipped with it. */
  unavailable(): Promise<string | undefined>;
  create(): Promise<QueueFixture>;
  /** Lease length the cases use: short, so that the vanished-worker case finishes quickly. */
  leaseMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function enqueueOne(queue: JobQueue, db: Kysely<Database>, spec: Parameters<JobQueue['enqueue']>[1]) {
  return db.transaction().execute((transaction) => queue.enqueue(transaction, spec));
}

export function runJobQueueCases(harness: QueueHarness): void {
  describe(`JobQueue contract (${harness.name})`, async () => {
    const reason = await harness.unavailable();
    if (reason) {
      test('JobQueue contract', { skip: reason }, () => {});
      return;
    }

    let fixture: QueueFixture;
    const workers: RunningWorker[] = [];
    const extraQueues: JobQueue[] = [];
    const children: Array<{ child: ChildProcess; exited: Promise<unknown> }> = [];
    before(async () => {
      fixture = await harness.create();
    });
    after(async () => {
      for (const { child, exited } of children) {
        child.kill('SIGKILL');
        await exited;
      }
      await Promise.all(workers.map((worker) => worker.stop()));
      await Promise.all(extraQueues.map((queue) => queue.close()));
      await fixture.dispose();
    });

    let taskCounter = 0;
    /** Each case uses its own task names, so that a worker of one case never takes another case's jobs. */
    const taskName = (label: string) => `${label}_${++taskCounter}`;
    const start = async (queue: JobQueue, tasks: Record<string, JobHandler>, options: Partial<StartOptions> = {}) => {
      const worker = await queue.start({
        tasks,
        concurrency: 4,
        pollIntervalMs: 100,
        leaseMs: harness.leaseMs,
        stopTimeoutMs: 5_000,
        ...options,
      });
      workers.push(worker);
      return worker;
    };
    const stop = async (worker: RunningWorker) => {
      await worker.stop();
      workers.splice(workers.indexOf(worker), 1);
    };

    test('a job enqueued in a committed transaction runs once, with its payload and attempt 1', async () => {
      const task = taskName('committed');
      const seen: Array<{ payload: unknown; attempt: number; jobId: string }> = [];
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1, sync: 'a' } });
      const worker = await start(fixture.queue, {
        [task]: async (payload, context) => void seen.push({ payload, attempt: context.attempt, jobId: context.jobId }),
      });
      await waitFor('the job to run', () => seen.length === 1);
      await waitFor('the job row to be deleted', async () => (await fixture.queue.getJob(jobId)) === undefined);
      await sleep(300);
      await stop(worker);
      assert.deepEqual(seen, [{ payload: { version: 1, sync: 'a' }, attempt: 1, jobId }]);
    });

    test('a job enqueued in a rolled-back transaction never runs', async () => {
      const task = taskName('rolled_back');
      let runs = 0;
      const worker = await start(fixture.queue, { [task]: async () => void runs++ });
      let jobId = '';
      await assert.rejects(
        fixture.db.transaction().execute(async (transaction) => {
          jobId = (await fixture.queue.enqueue(transaction, { task, payload: { version: 1 } })).jobId;
          throw new Error('roll back');
        }),
        /roll back/,
      );
      await sleep(500);
      await stop(worker);
      assert.equal(runs, 0);
      assert.equal(await fixture.queue.getJob(jobId), undefined);
    });

    test('a second enqueue with the same jobKey replaces the pending job', async () => {
      const task = taskName('dedupe');
      const seen: unknown[] = [];
      const first = await enqueueOne(fixture.queue, fixture.db, {
        task,
        jobKey: `${task}:sync-1`,
        payload: { version: 1, n: 1 },
      });
      const second = await enqueueOne(fixture.queue, fixture.db, {
        task,
        jobKey: `${task}:sync-1`,
        payload: { version: 1, n: 2 },
      });
      assert.equal(second.jobId, first.jobId);
      const snapshot = await fixture.queue.getJob(first.jobId);
      assert.equal(snapshot?.state, 'pending');
      assert.deepEqual(snapshot?.payload, { version: 1, n: 2 });
      const worker = await start(fixture.queue, { [task]: async (payload) => void seen.push(payload) });
      await waitFor('the job to run', () => seen.length === 1);
      await sleep(300);
      await stop(worker);
      assert.deepEqual(seen, [{ version: 1, n: 2 }]);
    });

    test('jobs of one jobKey never run concurrently: an enqueue while it runs waits for the running job', async () => {
      const task = taskName('key_serial');
      const jobKey = `${task}:sync-1`;
      const events: string[] = [];
      let release!: () => void;
      const firstMayFinish = new Promise<void>((resolve) => (release = resolve));
      const worker = await start(fixture.queue, {
        [task]: async (payload) => {
          const n = (payload as { n: number }).n;
          events.push(`start ${n}`);
          if (n === 1) await firstMayFinish;
          events.push(`end ${n}`);
        },
      });
      await enqueueOne(fixture.queue, fixture.db, { task, jobKey, payload: { version: 1, n: 1 } });
      await waitFor('the first job to start', () => events.includes('start 1'));
      await enqueueOne(fixture.queue, fixture.db, { task, jobKey, payload: { version: 1, n: 2 } });
      await sleep(600);
      assert.deepEqual(events, ['start 1'], 'the second job must wait while the first runs');
      release();
      await waitFor('the second job to finish', () => events.includes('end 2'));
      await stop(worker);
      assert.deepEqual(events, ['start 1', 'end 1', 'start 2', 'end 2']);
    });

    test('a failed job is retried after the exponential backoff, then succeeds', async () => {
      const task = taskName('retry');
      const attempts: Array<{ attempt: number; at: number }> = [];
      const worker = await start(fixture.queue, {
        [task]: async (_payload, context) => {
          attempts.push({ attempt: context.attempt, at: Date.now() });
          if (context.attempt === 1) throw new Error('transient failure');
        },
      });
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 }, maxAttempts: 3 });
      await waitFor('the first attempt', () => attempts.length === 1);
      await waitFor(
        'the failure to be recorded',
        async () => (await fixture.queue.getJob(jobId))?.lastError === 'transient failure',
      );
      await waitFor('the second attempt', () => attempts.length === 2, 15_000);
      await waitFor('the job row to be deleted', async () => (await fixture.queue.getJob(jobId)) === undefined);
      await stop(worker);
      assert.deepEqual(
        attempts.map((entry) => entry.attempt),
        [1, 2],
      );
      // exp(1) s = 2.72 s; a little slack for the clock of the database and the poll.
      const gap = attempts[1]!.at - attempts[0]!.at;
      assert.ok(gap >= 2_500, `retried after ${gap} ms, expected about 2718 ms`);
    });

    test('an error with nextRetryDelay waits that long before the next attempt', async () => {
      const task = taskName('next_retry_delay');
      const attempts: number[] = [];
      const worker = await start(fixture.queue, {
        [task]: async (_payload, context) => {
          attempts.push(Date.now());
          if (context.attempt === 1) throw Object.assign(new Error('rate limited'), { nextRetryDelay: 4_000 });
        },
      });
      await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      await waitFor('two attempts', () => attempts.length === 2, 15_000);
      await stop(worker);
      const gap = attempts[1]! - attempts[0]!;
      assert.ok(gap >= 3_800 && gap < 7_000, `retried after ${gap} ms, expected about 4000 ms`);
    });

    test('an error with retryable: false fails the job at once', async () => {
      const task = taskName('not_retryable');
      let runs = 0;
      const worker = await start(fixture.queue, {
        [task]: async () => {
          runs++;
          throw Object.assign(new Error('bad configuration'), { retryable: false });
        },
      });
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 }, maxAttempts: 5 });
      await waitFor('the job to fail', async () => (await fixture.queue.getJob(jobId))?.state === 'failed');
      await sleep(3_500);
      await stop(worker);
      assert.equal(runs, 1);
      const snapshot = await fixture.queue.getJob(jobId);
      assert.equal(snapshot?.state, 'failed');
      assert.equal(snapshot?.lastError, 'bad configuration');
    });

    test('a worker never runs more jobs at once than its concurrency', async () => {
      const task = taskName('concurrency');
      let running = 0;
      let peak = 0;
      let done = 0;
      const worker = await start(
        fixture.queue,
        {
          [task]: async () => {
            running++;
            peak = Math.max(peak, running);
            await sleep(150);
            running--;
            done++;
          },
        },
        { concurrency: 2 },
      );
      await fixture.db.transaction().execute(async (transaction) => {
        for (let n = 0; n < 8; n++) await fixture.queue.enqueue(transaction, { task, payload: { version: 1, n } });
      });
      await waitFor('all jobs', () => done === 8);
      await stop(worker);
      assert.equal(peak, 2);
    });

    test('two queue instances on one database (like two processes) never run the same job twice', async () => {
      const task = taskName('two_workers');
      const other = await fixture.openAnother();
      extraQueues.push(other);
      const runsByJob = new Map<number, string[]>();
      const handler =
        (who: string): JobHandler =>
        async (payload) => {
          const n = (payload as { n: number }).n;
          runsByJob.set(n, [...(runsByJob.get(n) ?? []), who]);
          await sleep(5);
        };
      const jobCount = 60;
      await fixture.db.transaction().execute(async (transaction) => {
        for (let n = 0; n < jobCount; n++)
          await fixture.queue.enqueue(transaction, { task, payload: { version: 1, n } });
      });
      const [first, second] = await Promise.all([
        start(fixture.queue, { [task]: handler('first') }, { concurrency: 3 }),
        start(other, { [task]: handler('second') }, { concurrency: 3 }),
      ]);
      await waitFor('every job', () => runsByJob.size === jobCount, 20_000);
      await sleep(300);
      await Promise.all([stop(first), stop(second)]);
      for (const [n, runners] of runsByJob) assert.equal(runners.length, 1, `job ${n} ran ${runners.length} times`);
      const workersUsed = new Set([...runsByJob.values()].flat());
      assert.ok(workersUsed.size >= 1);
    });

    /** A worker in a process of its own (vanishing-worker.ts), killed with SIGKILL by the test or at the end. */
    const workerProcess = (options: VanishingWorkerOptions) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/queue/vanishing-worker.ts', ...fixture.vanishingWorkerArgs, JSON.stringify(options)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const seen: string[] = [];
      const waiters: Array<() => void> = [];
      createInterface({ input: child.stdout! }).on('line', (line) => {
        seen.push(line);
        for (const wake of waiters.splice(0)) wake();
      });
      children.push({ child, exited });
      return {
        /** The first stdout line that starts with `prefix` (waiting for it), without the prefix. */
        async line(prefix: string, timeoutMs = 60_000): Promise<string> {
          const deadline = Date.now() + timeoutMs;
          for (;;) {
            const found = seen.find((line) => line.startsWith(prefix));
            if (found !== undefined) return found.slice(prefix.length);
            if (Date.now() > deadline || child.exitCode !== null)
              throw new Error(`worker process: no line starting with "${prefix}" (saw ${JSON.stringify(seen)})`);
            await new Promise<void>((resolve) => {
              waiters.push(resolve);
              setTimeout(resolve, 100);
            });
          }
        },
        lines: () => [...seen],
        async kill() {
          child.kill('SIGKILL');
          await exited;
        },
      };
    };

    test('a job whose worker vanished is claimed by another worker once the lease expires, not before', async (t) => {
      const task = taskName('vanishing');
      const dying = workerProcess({ task, leaseMs: harness.leaseMs });
      await dying.line('started ');
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      assert.equal(await dying.line('claimed '), `${jobId} 1`);
      await dying.kill();
      const killedAt = Date.now();
      const claims: Array<{ attempt: number; at: number }> = [];
      const worker = await start(fixture.queue, {
        [task]: async (_payload, context) => void claims.push({ attempt: context.attempt, at: Date.now() }),
      });
      await waitFor('the job to run on the surviving worker', () => claims.length === 1, harness.leaseMs * 4 + 10_000);
      await stop(worker);
      assert.deepEqual(
        claims.map((claim) => claim.attempt),
        [2],
      );
      // The dead worker renewed its lease at most one heartbeat (a quarter of the lease) before it was killed.
      const waited = claims[0]!.at - killedAt;
      assert.ok(waited >= harness.leaseMs * 0.75 - 100, `taken over ${waited} ms after the kill, before the lease`);
      // Measured times go to the test output (docs/queue.md quotes them).
      t.diagnostic(`another worker took over ${waited} ms after the kill (lease ${harness.leaseMs} ms)`);
    });

    test('a worker restarting under its own identity resumes its job at once, long before the lease', async (t) => {
      const task = taskName('restart');
      const workerId = `restart-${task}`;
      // A lease far longer than the restart, however slowly this machine starts a process: resuming before it ends
      // can only be the identity's doing.
      const leaseMs = 60_000;
      const first = workerProcess({ task, leaseMs, workerId });
      assert.equal(await first.line('started '), workerId);
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      assert.equal(await first.line('claimed '), `${jobId} 1`);
      await first.kill();
      const killedAt = Date.now();
      const second = workerProcess({ task, leaseMs, workerId, holdMs: 0 });
      assert.equal(await second.line('started '), workerId, 'the restarted process took its slot back');
      const readyAt = Date.now();
      assert.equal(await second.line('claimed '), `${jobId} 2`);
      const resumedAt = Date.now();
      await second.line('finished ');
      await waitFor('the job row to be deleted', async () => (await fixture.queue.getJob(jobId)) === undefined);
      await second.kill();
      assert.ok(resumedAt - readyAt < 5_000, `resumed ${resumedAt - readyAt} ms after the restarted worker was up`);
      assert.ok(resumedAt - killedAt < leaseMs, `resumed ${resumedAt - killedAt} ms after the kill, after the lease`);
      // Measured times go to the test output (docs/queue.md quotes them).
      t.diagnostic(
        `restart to resume ${resumedAt - killedAt} ms (process start ${readyAt - killedAt} ms, then ${resumedAt - readyAt} ms)`,
      );
    });

    test('a live worker keeps a job that runs longer than several leases: its heartbeat renews the lease', async () => {
      const task = taskName('long_job');
      // Twice the suite's lease, so that a loaded machine stalling the owner for a second cannot fail the case.
      const leaseMs = harness.leaseMs * 2;
      const holdMs = leaseMs * 2.5;
      const owner = workerProcess({ task, leaseMs, holdMs });
      await owner.line('started ');
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      assert.equal(await owner.line('claimed '), `${jobId} 1`);
      let stolen = 0;
      // Another worker waits for the job all along, and would take it the moment a lease lapsed.
      // With the owner's lease: on graphile the sweeping worker's lease is the one that counts.
      const other = await start(fixture.queue, { [task]: async () => void stolen++ }, { leaseMs });
      assert.equal(await owner.line('finished ', holdMs + 10_000), jobId);
      await waitFor('the job row to be deleted', async () => (await fixture.queue.getJob(jobId)) === undefined);
      await stop(other);
      await owner.kill();
      assert.equal(stolen, 0, 'the job was taken over from its live worker');
      assert.deepEqual(
        owner.lines().filter((line) => line.startsWith('claimed ')),
        [`claimed ${jobId} 1`],
      );
    });

    test("a second live process with the same identity takes the next slot, and never the first one's job", async () => {
      const task = taskName('same_identity');
      const workerId = `twin-${task}`;
      const first = workerProcess({ task, leaseMs: harness.leaseMs, workerId });
      assert.equal(await first.line('started '), workerId);
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      assert.equal(await first.line('claimed '), `${jobId} 1`);
      const claims: number[] = [];
      const twin = await start(
        fixture.queue,
        { [task]: async (_payload, context) => void claims.push(context.attempt) },
        {
          workerId,
        },
      );
      assert.equal(twin.workerId, `${workerId}#2`);
      await sleep(harness.leaseMs * 2);
      assert.deepEqual(claims, [], 'the twin took the job of a live worker');
      // Once the first dies, the twin is just another worker: it waits for the lease like any other.
      await first.kill();
      await waitFor('the twin to take the job', () => claims.length === 1, harness.leaseMs * 4 + 10_000);
      await stop(twin);
      assert.deepEqual(claims, [2]);
    });

    test('cancel removes a pending job, by key or by id', async () => {
      const task = taskName('cancel_pending');
      const later = new Date(Date.now() + 60_000);
      const byKey = await enqueueOne(fixture.queue, fixture.db, {
        task,
        jobKey: `${task}:k`,
        runAt: later,
        payload: { version: 1 },
      });
      const byId = await enqueueOne(fixture.queue, fixture.db, { task, runAt: later, payload: { version: 1 } });
      assert.deepEqual(await fixture.queue.cancel({ jobKey: `${task}:k` }), { removed: true, aborted: false });
      assert.deepEqual(await fixture.queue.cancel({ jobId: byId.jobId }), { removed: true, aborted: false });
      assert.equal(await fixture.queue.getJob(byKey.jobId), undefined);
      assert.equal(await fixture.queue.getJob(byId.jobId), undefined);
      assert.deepEqual(await fixture.queue.cancel({ jobId: byId.jobId }), { removed: false, aborted: false });
    });

    test('cancel aborts a job running in this process, and the job is not retried', async () => {
      const task = taskName('cancel_running');
      let runs = 0;
      let started = false;
      let abortedWith: unknown;
      const worker = await start(fixture.queue, {
        [task]: async (_payload, context) => {
          runs++;
          started = true;
          await new Promise<void>((_resolve, reject) =>
            context.signal.addEventListener('abort', () => {
              abortedWith = context.signal.reason;
              reject(context.signal.reason);
            }),
          );
        },
      });
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, {
        task,
        jobKey: `${task}:k`,
        payload: { version: 1 },
      });
      await waitFor('the job to start', () => started);
      assert.deepEqual(await fixture.queue.cancel({ jobId }), { removed: false, aborted: true });
      await waitFor('the job row to be deleted', async () => (await fixture.queue.getJob(jobId)) === undefined);
      await sleep(3_000);
      await stop(worker);
      assert.equal(runs, 1);
      assert.ok(abortedWith instanceof Error);
    });

    test('the isCancelled hook aborts a running job (how a cancel reaches another process)', async () => {
      const task = taskName('cancel_hook');
      let started = false;
      let cancelFlag = false;
      let aborted = false;
      const worker = await start(
        fixture.queue,
        {
          [task]: async (_payload, context) => {
            started = true;
            await new Promise<void>((_resolve, reject) =>
              context.signal.addEventListener('abort', () => {
                aborted = true;
                reject(context.signal.reason);
              }),
            );
          },
        },
        { isCancelled: async () => cancelFlag, cancelCheckIntervalMs: 50 },
      );
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      await waitFor('the job to start', () => started);
      await sleep(200);
      assert.equal(aborted, false);
      cancelFlag = true;
      await waitFor('the job to be aborted', () => aborted);
      await waitFor('the job row to be deleted', async () => (await fixture.queue.getJob(jobId)) === undefined);
      await stop(worker);
    });

    test('stop() waits for in-flight jobs to finish', async () => {
      const task = taskName('stop_waits');
      let started = false;
      let finished = false;
      const worker = await start(fixture.queue, {
        [task]: async () => {
          started = true;
          await sleep(700);
          finished = true;
        },
      });
      const { jobId } = await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      await waitFor('the job to start', () => started);
      await stop(worker);
      assert.equal(finished, true);
      assert.equal(await fixture.queue.getJob(jobId), undefined);
    });

    test('stop() aborts jobs still running after its timeout, and another worker picks them up', async () => {
      const task = taskName('stop_timeout');
      const attempts: Array<{ attempt: number; who: string }> = [];
      const stubborn: JobHandler = async (_payload, context) => {
        attempts.push({ attempt: context.attempt, who: 'first' });
        await new Promise<void>((_resolve, reject) =>
          context.signal.addEventListener('abort', () => reject(context.signal.reason)),
        );
      };
      const worker = await start(fixture.queue, { [task]: stubborn }, { stopTimeoutMs: 300 });
      await enqueueOne(fixture.queue, fixture.db, { task, payload: { version: 1 } });
      await waitFor('the job to start', () => attempts.length === 1);
      const stoppedAt = Date.now();
      await stop(worker);
      assert.ok(Date.now() - stoppedAt < 3_000);
      const next = await start(fixture.queue, {
        [task]: async (_payload, context) => void attempts.push({ attempt: context.attempt, who: 'second' }),
      });
      // graphile delays an interrupted job by its backoff (exp(1) s); the embedded queue releases it at once.
      await waitFor('the job to run again', () => attempts.length === 2, 10_000);
      await stop(next);
      assert.equal(attempts[1]!.who, 'second');
    });
  });
}
