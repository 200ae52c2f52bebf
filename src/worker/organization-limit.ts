// An execution whose organization already runs its limit of executions (FERRY_ORGANIZATION_CONCURRENCY) waits: its
// job goes back to the queue without using an attempt and is offered again a little later. Meanwhile the worker's
// slot takes the next job, typically another organization's, so one tenant's backlog does not hold the workers.
// The wait is jittered so that a backlog of one organization does not come back all in the same instant.
import type { AppContext } from '../app-context.ts';
import { ferryDefaults } from '../config.ts';
import { JobHandedBack } from '../queue/job-deferral.ts';

export function organizationAtLimit(context: Pick<AppContext, 'config'>, organizationId: string): JobHandedBack {
  const base = ferryDefaults.worker.organizationLimitRetryMs;
  const delayMs = Math.round(base * (0.75 + Math.random() * 0.5));
  return new JobHandedBack(
    `organization ${organizationId} runs its limit of ${context.config.organizationConcurrency} executions; waiting ${delayMs} ms`,
    delayMs,
  );
}
