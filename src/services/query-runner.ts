// Ad-hoc queries against a connection's model source: run as a job, results kept (capped) for a while and read
// back page by page. The rows live in the job's result, so GET /api/jobs/query/{id} and GET /api/queries/{id}
// agree; both disappear when the run expires.
import type { Clock } from '../domain/clock.ts';
import { randomUUID } from 'node:crypto';
import type { Principal } from './principal.ts';
import { DomainError, invalidField, notFound } from '../domain/domain-error.ts';
import type { Row } from '../connectors/records.ts';
import type { ConnectionRow } from '../persistence/repositories/connections-repository.ts';
import type { Repositories } from '../persistence/repositories/index.ts';
import { ferryDefaults } from '../config.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { actorOf } from './actor.ts';
import type { ConnectionsService } from './connections-service.ts';
import { capabilityMissing, withFacet } from './connection-facets.ts';
import { JobStatus, JobType, type JobsService } from './jobs-service.ts';

export interface QueryRunnerOptions {
  /** How long results are kept. 1 hour. */
  retentionMs: number;
  /** Rows kept per run; more are dropped and the result says `truncated: true`. 10 000 (a few MB of JSON per run). */
  maxRows: number;
  /** Rows per page of GET /api/queries/{id}. 500. */
  pageSize: number;
}

export const defaultQueryRunnerOptions: QueryRunnerOptions = ferryDefaults.queries;

interface StoredResult {
  fields: string[];
  results: Row[];
  count: number;
  truncated: boolean;
}

/** RunQueryResult plus the page links of QueryResultsEnvelope. */
export interface QueryView {
  result: {
    id: string;
    status: string;
    expires: string;
    count?: number;
    fields?: string[];
    results?: Row[];
    error?: string;
    truncated?: boolean;
  };
  links?: { next?: string; previous?: string };
}

export function queryRunner(
  deps: {
    repositories: Repositories;
    connections: Pick<ConnectionsService, 'open' | 'connectorFor'>;
    jobs: JobsService;
    clock: Clock;
  },
  options: QueryRunnerOptions = defaultQueryRunnerOptions,
) {
  const { repositories } = deps;

  function creatorOf(caller: Principal): string {
    const actor = actorOf(caller);
    return `${actor.type}:${actor.id}`;
  }

  return {
    async run(caller: Principal, row: ConnectionRow, query: string | undefined): Promise<QueryView> {
      if (!query?.trim())
        throw invalidField('query', 'is required: the SQL to run, as the `query` query-string parameter');
      if (!deps.connections.connectorFor(row.type).capabilities.includes('modelSource'))
        throw capabilityMissing(row, 'modelSource');
      await repositories.queries.deleteExpired(nowIso(deps.clock));
      const id = randomUUID();
      const created = deps.clock.now();
      const expires = new Date(created.getTime() + options.retentionMs).toISOString();
      // The query row goes in before the job starts, so a poll that races the first write still finds it.
      await repositories.queries.insert({
        id,
        organization_id: caller.organizationId,
        connection_id: row.id,
        query,
        created_by: creatorOf(caller),
        created_at: created.toISOString(),
        expires_at: expires,
      });
      const job = await deps.jobs.start(
        caller.organizationId,
        JobType.query,
        (context) =>
          withFacet(deps.connections, row, 'modelSource', async (source): Promise<StoredResult> => {
            const fields = (await source.describeQuery(context, query)).map((field) => field.id);
            const results: Row[] = [];
            let truncated = false;
            // One row past the cap tells a full result from a cut one.
            for await (const batch of source.readQuery(context, query, {
              limit: options.maxRows + 1,
              batchSize: 1000,
            })) {
              for (const record of batch) {
                if (results.length < options.maxRows) results.push(record);
                else truncated = true;
              }
            }
            return { fields, results, count: results.length, truncated };
          }),
        { id },
      );
      return { result: { id, status: job.status, expires } };
    },

    /** Whether `caller` created the run `id` (GET /api/jobs/query/{id} shows a run only to its creator, like GET /api/queries/{id}). */
    async createdBy(caller: Principal, id: string): Promise<boolean> {
      const query = await repositories.queries.get(caller.organizationId, id);
      return query?.created_by === creatorOf(caller);
    },

    /** Status and one page (1-based) of results; not found for other principals' runs and expired ones. */
    async get(caller: Principal, id: string, page: number, basePath: string): Promise<QueryView> {
      const query = await repositories.queries.get(caller.organizationId, id);
      if (!query || query.created_by !== creatorOf(caller)) throw notFound('query');
      if (query.expires_at < nowIso(deps.clock))
        throw new DomainError('not_found', `The results of query ${id} expired at ${query.expires_at}; run it again.`);
      const job = await repositories.jobs.get(caller.organizationId, id);
      if (!job) throw notFound('query');
      const view: QueryView = { result: { id, status: job.status, expires: query.expires_at } };
      if (job.status === JobStatus.failed) view.result.error = job.error ?? 'The query failed.';
      if (job.status !== JobStatus.done || !job.result) return view;
      const stored = JSON.parse(job.result) as StoredResult;
      const pages = Math.max(1, Math.ceil(stored.count / options.pageSize));
      if (page > pages)
        throw new DomainError('malformed', `page ${page} is past the last page (${pages})`, {
          details: { field: 'page' },
        });
      const start = (page - 1) * options.pageSize;
      Object.assign(view.result, {
        count: stored.count,
        fields: stored.fields,
        results: stored.results.slice(start, start + options.pageSize),
      });
      // RunQueryResult has no field for this; `truncated` is Ferry's addition (clients ignore unknown fields).
      if (stored.truncated) view.result.truncated = true;
      view.links = {
        ...(page < pages ? { next: `${basePath}?page=${page + 1}` } : {}),
        ...(page > 1 ? { previous: `${basePath}?page=${page - 1}` } : {}),
      };
      return view;
    },
  };
}

export type QueryRunner = ReturnType<typeof queryRunner>;
