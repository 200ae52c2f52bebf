// Jobs: the status of asynchronous work, by type and id, within the caller's organization.
import type { Caller } from '../../auth/caller.ts';
import type { RouteDefinition } from '../../route.ts';
import { ApiError, notFound } from '../../errors.ts';
import { isJobType, JobType, type JobsService } from '../../../services/jobs-service.ts';
import type { JobRow } from '../../../persistence/repositories/jobs-repository.ts';
import { JobParams, JobResponseEnvelope } from './job-schemas.ts';

export function jobToWire(row: JobRow) {
  return {
    job_id: row.id,
    type: row.type,
    status: row.status,
    ...(row.status === 'done' && row.result !== null ? { result: JSON.parse(row.result) } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** Extra visibility rules per job type, beyond the organization (query runs are their creator's only). */
export type JobVisibility = Partial<Record<JobType, (caller: Caller, id: string) => Promise<boolean>>>;

export function jobRoutes(jobs: JobsService, visibility: JobVisibility = {}): RouteDefinition[] {
  return [
    {
      operationId: 'jobs.get',
      method: 'GET',
      path: '/api/jobs/{type}/{id}',
      summary: `A job's status, and its result once done. Types: ${Object.values(JobType).join(', ')}; any other type is a 400.`,
      access: 'organization',
      params: JobParams,
      response: JobResponseEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => {
        if (!isJobType(params.type)) {
          throw new ApiError(
            'bad_request',
            `type: unknown job type "${params.type}"; one of ${Object.values(JobType).join(', ')}`,
            { metadata: { field: 'type' } },
          );
        }
        const row = await jobs.get(caller.organizationId, params.type, params.id);
        if (!row) throw notFound('job');
        const visible = visibility[params.type];
        if (visible && !(await visible(caller, row.id))) throw notFound('job');
        return { data: jobToWire(row) };
      },
    },
  ];
}
