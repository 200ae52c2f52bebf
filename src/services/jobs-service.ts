// Jobs: asynchronous work an endpoint starts and answers for at once (schema refresh, ad-hoc queries), polled
// through GET /api/jobs/{type}/{id}. For now the work runs in this process; runRecordedJob is the one function a
// queue worker would call instead (it needs only the job id and the work), so moving jobs onto the queue changes
// who calls it, not what it records.
import type { Clock } from '../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import type { RunContext, RunLogger } from '../domain/run-context.ts';
import type { JobRow, JobsRepository } from '../persistence/repositories/jobs-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';

/** The spec's job types (GET /api/jobs/{type}/{id}) plus Ferry's own; any other type in a path is a 400. */
export const JobType = {
  createmodel: 'createmodel',
  updatemodel: 'updatemodel',
  previewmodel: 'previewmodel',
  samplemodel: 'samplemodel',
  exportlogs: 'exportlogs',
  schemarefresh: 'schemarefresh',
  query: 'query',
} as const;
export type JobType = (typeof JobType)[keyof typeof JobType];

export function isJobType(value: string): value is JobType {
  return Object.values(JobType).includes(value as JobType);
}

/** The spec's WorkTaskStatus. */
export const JobStatus = { created: 'created', running: 'running', done: 'done', failed: 'failed' } as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** The work of one job; its resolved value is the job's result (JSON-serialisable). */
export type JobWork = (context: RunContext) => Promise<unknown>;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `work` for an existing job row and records running → done | failed. Never throws: failures are recorded. */
export async function runRecordedJob(
  jobs: JobsRepository,
  clock: Clock,
  jobId: string,
  work: JobWork,
  context: RunContext,
): Promise<void> {
  await jobs.update(jobId, { status: JobStatus.running, updated_at: nowIso(clock) });
  try {
    const result = await work(context);
    await jobs.update(jobId, {
      status: JobStatus.done,
      result: result === undefined ? null : JSON.stringify(result),
      error: null,
      updated_at: nowIso(clock),
    });
  } catch (error: unknown) {
    context.log.warn({ jobId, err: error }, 'job failed');
    await jobs.update(jobId, { status: JobStatus.failed, error: messageOf(error), updated_at: nowIso(clock) });
  }
}

export interface JobsServiceDeps {
  jobs: JobsRepository;
  log: RunLogger;
  clock: Clock;
}

export function jobsService(deps: JobsServiceDeps) {
  const running = new Map<string, { promise: Promise<void>; controller: AbortController }>();

  return {
    /** Records a created job and starts its work in the background; resolves once the row exists. */
    async start(organizationId: string, type: JobType, work: JobWork, options: { id?: string } = {}): Promise<JobRow> {
      const now = nowIso(deps.clock);
      const row: JobRow = {
        id: options.id ?? randomUUID(),
        organization_id: organizationId,
        type,
        status: JobStatus.created,
        result: null,
        error: null,
        created_at: now,
        updated_at: now,
      };
      await deps.jobs.insert(row);
      const controller = new AbortController();
      const context: RunContext = { signal: controller.signal, log: deps.log, heartbeat() {} };
      const promise = runRecordedJob(deps.jobs, deps.clock, row.id, work, context)
        .catch((error: unknown) =>
          deps.log.error({ jobId: row.id, err: error }, 'could not record the outcome of a job'),
        )
        .finally(() => running.delete(row.id));
      running.set(row.id, { promise, controller });
      return row;
    },

    /** A job of this organization and type; undefined when the id is unknown, of another type or another organization's. */
    async get(organizationId: string, type: JobType, id: string): Promise<JobRow | undefined> {
      const row = await deps.jobs.get(organizationId, id);
      return row && row.type === type ? row : undefined;
    },

    /** Resolves when the job (if this process runs it) has finished. */
    async settled(id: string): Promise<void> {
      await running.get(id)?.promise;
    },

    /** Resolves when every job this process started has finished. */
    async drain(): Promise<void> {
      while (running.size) await Promise.all([...running.values()].map((job) => job.promise));
    },

    /** Cancels running work (it fails with a canceled error) and waits for it. */
    async close(): Promise<void> {
      for (const job of running.values()) job.controller.abort(new Error('Ferry is shutting down.'));
      await this.drain();
    },
  };
}

export type JobsService = ReturnType<typeof jobsService>;
