// Model-sync executions: start, cancel (the sync's open execution, or one execution), status, list and get.
// 2024-02-08 cancels with PUT …/executions/{id} {status: "canceled"}; that route exists only there (2024-02-08.ts).
// Record logs and console logs are in model-sync-log-routes.ts.
import type { AppContext } from '../../../app-context.ts';
import { fieldError } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import { IdParams } from '../envelope.ts';
import type { ModelSyncExecutionsService } from '../../../services/model-sync-executions-service.ts';
import { requireModelSync } from '../../../services/model-syncs-service.ts';
import { executionPagePosition, executionPageToken } from '../../../services/page-token.ts';
import {
  CancelSyncExecutionResponseEnvelope,
  CancelSyncResponseEnvelope,
  ExecutionParams,
  GetExecutionResponseEnvelope,
  ListExecutionResponseEnvelope,
  ListExecutionsQuery,
  StartSyncRequest,
  StartSyncResponseEnvelope,
  SyncIdParams,
  SyncStatusEnvelope,
  UpdateExecutionRequest,
} from './model-sync-execution-schemas.ts';
import { modelSyncExecutionToWire, startedExecutionToWire } from './model-sync-execution-wire.ts';

/** Executions per page of GET …/executions. */
const pageSize = 50;

export function modelSyncExecutionRoutes(
  context: AppContext,
  executions: ModelSyncExecutionsService,
): RouteDefinition[] {
  const { repositories } = context;
  const sync = (organizationId: string, id: string) => requireModelSync(context, organizationId, id);

  return [
    {
      operationId: 'modelSync.start',
      method: 'POST',
      path: '/api/syncs/{id}/executions',
      summary:
        'Start an execution now (also of an inactive sync: `active` pauses the schedule only). `test` reads the first 10 model rows; ' +
        '`identities` only the rows with those identity values; `resync` sends every row whatever was delivered before. A start while an execution is open is a 409.',
      access: 'organization',
      params: IdParams,
      body: StartSyncRequest,
      response: StartSyncResponseEnvelope,
      errors: [400, 403, 404, 409, 422, 500],
      handler: async ({ caller, params, body }) => ({
        data: startedExecutionToWire(await executions.start(await sync(caller.organizationId, params.id), body ?? {})),
      }),
    },
    {
      operationId: 'modelSync.cancel',
      method: 'POST',
      path: '/api/syncs/{id}/cancel',
      summary:
        "Cancel the sync's open execution. Batches already delivered stay delivered, and the next execution sends the rest.",
      access: 'organization',
      params: IdParams,
      response: CancelSyncResponseEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const canceled = await executions.cancelOpen(await sync(caller.organizationId, params.id));
        return {
          data: { message: canceled ? `Execution ${canceled.id} is ${canceled.status}.` : 'No execution is running.' },
        };
      },
    },
    {
      operationId: 'modelSync.getStatus',
      method: 'GET',
      path: '/api/syncs/{id}/status',
      summary:
        'The open execution (if any), the last finished one, and when the schedule next fires (UTC; none for an inactive or manual sync).',
      access: 'organization',
      params: IdParams,
      response: SyncStatusEnvelope,
      errors: [404, 500],
      handler: async ({ caller, params }) => {
        const status = await executions.status(await sync(caller.organizationId, params.id));
        return {
          data: {
            ...(status.current ? { current_execution: modelSyncExecutionToWire(status.current) } : {}),
            ...(status.last ? { last_execution: modelSyncExecutionToWire(status.last) } : {}),
            ...(status.nextExecutionTime ? { next_execution_time: status.nextExecutionTime } : {}),
          },
        };
      },
    },
    {
      operationId: 'modelSync.executions.list',
      method: 'GET',
      path: '/api/syncs/{sync_id}/executions',
      summary: `The sync's executions, newest first unless ascending=true, ${pageSize} per page; only_completed=true keeps completed ones; pagination.next_page_token pages on.`,
      access: 'organization',
      params: SyncIdParams,
      query: ListExecutionsQuery,
      response: ListExecutionResponseEnvelope,
      errors: [404],
      handler: async ({ caller, params, query }) => {
        const found = await sync(caller.organizationId, params.sync_id);
        const rows = await repositories.modelSyncExecutions.page(found.organization_id, found.id, {
          ascending: Boolean(query.ascending),
          limit: pageSize + 1,
          onlyCompleted: Boolean(query.only_completed),
          after: query.page_token ? executionPagePosition(query.page_token) : undefined,
        });
        const page = rows.slice(0, pageSize);
        return {
          data: page.map(modelSyncExecutionToWire),
          pagination: rows.length > pageSize ? { next_page_token: executionPageToken(page.at(-1)!) } : {},
        };
      },
    },
    {
      operationId: 'modelSync.executions.get',
      method: 'GET',
      path: '/api/syncs/{sync_id}/executions/{id}',
      summary: 'One execution: status, type (manual, test, identities, resync), counts, systemic errors and times.',
      access: 'organization',
      params: ExecutionParams,
      response: GetExecutionResponseEnvelope,
      errors: [404, 500],
      handler: async ({ caller, params }) => ({
        data: modelSyncExecutionToWire(
          await executions.require(await sync(caller.organizationId, params.sync_id), params.id),
        ),
      }),
    },
    {
      operationId: 'modelSync.executions.cancel',
      method: 'POST',
      path: '/api/syncs/{sync_id}/executions/{id}/cancel',
      summary: 'Cancel one execution; 400 when it has already completed, failed or been canceled.',
      access: 'organization',
      params: ExecutionParams,
      response: CancelSyncExecutionResponseEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params }) => {
        const canceled = await executions.cancel(await sync(caller.organizationId, params.sync_id), params.id);
        return { data: { message: `Execution ${canceled.id} is ${canceled.status}.` } };
      },
    },
    {
      operationId: 'modelSync.executions.update',
      method: 'PUT',
      path: '/api/syncs/{sync_id}/executions/{id}',
      summary:
        '2024-02-08 and older: cancel one execution with {"status": "canceled"} (the only status a client may set); the execution is returned.',
      access: 'organization',
      params: ExecutionParams,
      body: UpdateExecutionRequest,
      response: GetExecutionResponseEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, body }) => {
        if (body.status !== 'canceled')
          throw fieldError('status', `only canceled can be set, got ${body.status}`, 'bad_request');
        return {
          data: modelSyncExecutionToWire(
            await executions.cancel(await sync(caller.organizationId, params.sync_id), params.id),
          ),
        };
      },
    },
  ];
}
