// The query runner: start a query on a connection (a job) and read its results page by page.
import { ApiError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import type { QueryRunner } from '../../../services/query-runner.ts';
import { IdParams } from '../envelope.ts';
import {
  GetQueryQuery,
  QueryResultsEnvelope,
  RunQueryBody,
  RunQueryEnvelope,
  RunQueryParams,
  RunQueryQuery,
} from './query-schemas.ts';

function pageNumber(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const page = Number(raw);
  if (!Number.isInteger(page) || page < 1)
    throw new ApiError('bad_request', `page: must be a whole number from 1 (got ${JSON.stringify(raw)})`, {
      metadata: { field: 'page' },
    });
  return page;
}

export function queryRoutes(connections: ConnectionsService, runner: QueryRunner): RouteDefinition[] {
  return [
    {
      operationId: 'queryRunner.runQuery',
      method: 'POST',
      path: '/api/connections/{connection_id}/query',
      summary:
        'Start running `query` (SQL) on the connection. Answers at once; poll GET /api/queries/{id}. Results are kept for 1 hour, at most 10 000 rows.',
      access: 'organization',
      params: RunQueryParams,
      query: RunQueryQuery,
      body: RunQueryBody,
      response: RunQueryEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params, query, body }) => {
        const row = await connections.requireConnection(caller, params.connection_id);
        const view = await runner.run(caller, row, query.query ?? body?.query);
        return { data: view.result };
      },
    },
    {
      operationId: 'queryRunner.getQuery',
      method: 'GET',
      path: '/api/queries/{id}',
      summary:
        'A query run: its status, and once done one page of results with links to the next and previous pages. Only its creator sees it.',
      access: 'organization',
      params: IdParams,
      query: GetQueryQuery,
      response: QueryResultsEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params, query }) => {
        const view = await runner.get(caller, params.id, pageNumber(query.page), `/api/queries/${params.id}`);
        return { data: view.result, ...(view.links ? { links: view.links } : {}) };
      },
    },
  ];
}
