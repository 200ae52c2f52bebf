// Bulk sync executions: start, cancel (sync, execution, schema), status, list, get, and console logs.
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { notFound } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import { createKyselyConsoleLog } from '../../../persistence/stores/kysely-console-log.ts';
import type { BulkExecutionsService } from '../../../services/bulk-executions-service.ts';
import type { BulkSyncsService } from '../../../services/bulk-syncs-service.ts';
import { executionPagePosition, executionPageToken } from '../../../services/page-token.ts';
import { IdParams, Envelope, PaginationDetails } from '../envelope.ts';
import { ConsoleLogEnvelope, ConsoleLogQuery, consoleLogPage } from '../execution-console-log.ts';
import { bulkExecutionToWire } from './bulk-execution-wire.ts';
import { BulkSyncIngestionStatus, ingestionStatusToWire } from './bulk-ingestion-status-wire.ts';
import { bulkSyncNextExecutionTime } from '../../../services/scheduling/next-execution-time.ts';

const Loose = (title: string) => Type.Record(Type.String(), Type.Unknown(), { title });
const BulkSyncExecution = Loose('BulkSyncExecution');
const ExecutionParams = Type.Object({ id: Type.String(), exec_id: Type.String() });
const ConsoleParams = Type.Object({ sync_id: Type.String(), execution_id: Type.String() });
const SchemaConsoleParams = Type.Object({
  sync_id: Type.String(),
  execution_id: Type.String(),
  schema_id: Type.String(),
});
const BulkSyncStatusResponse = Type.Object(
  {
    current_execution: Type.Optional(BulkSyncExecution),
    ingestion_status: Type.Optional(BulkSyncIngestionStatus),
    last_execution: Type.Optional(BulkSyncExecution),
    next_execution_time: Type.Optional(Type.String()),
  },
  { title: 'BulkSyncStatusResponse' },
);
const CancelEnvelope = Envelope(
  'CancelBulkSyncResponseEnvelope',
  Type.Object({ message: Type.Optional(Type.String()) }, { title: 'CancelBulkSyncResponse' }),
);

const StartBulkSyncRequest = Type.Object(
  {
    fetch_mode: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('incremental'), Type.Literal('full')])),
    resync_mode: Type.Optional(Type.Union([Type.Literal('refetch'), Type.Literal('resync'), Type.Literal('rebuild')])),
    schemas: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    test: Type.Optional(Type.Boolean()),
  },
  { title: 'StartBulkSyncRequest' },
);

export function bulkExecutionRoutes(
  context: AppContext,
  bulkSyncs: BulkSyncsService,
  executions: BulkExecutionsService,
): RouteDefinition[] {
  const { repositories } = context;
  const consoleLog = createKyselyConsoleLog(context.database.db, context.clock.now);

  async function execution(
    caller: Parameters<BulkSyncsService['requireSync']>[0],
    syncId: string,
    executionId: string,
  ) {
    const sync = await bulkSyncs.requireSync(caller, syncId);
    const row = await repositories.bulkExecutions.get(sync.id, executionId);
    if (!row) throw notFound('execution');
    return { sync, row };
  }

  return [
    {
      operationId: 'bulkSync.start',
      method: 'POST',
      path: '/api/bulk/syncs/{id}/executions',
      summary:
        'Start an execution now. `test` copies at most 100 rows per schema. `test` and `resync_mode` are mutually exclusive (422); a start while an execution is open is a 409.',
      access: 'organization',
      params: IdParams,
      body: StartBulkSyncRequest,
      response: Envelope('BulkSyncExecutionEnvelope', BulkSyncExecution),
      errors: [400, 409, 422],
      handler: async ({ caller, params, body }) => ({
        data: bulkExecutionToWire(await executions.start(await bulkSyncs.requireSync(caller, params.id), body)),
      }),
    },
    {
      operationId: 'bulkSync.executions.list',
      method: 'GET',
      path: '/api/bulk/syncs/{id}/executions',
      summary:
        "The sync's executions, newest first unless ascending=true; limit at most 100 (default 50); pagination.next_page_token pages on.",
      access: 'organization',
      params: IdParams,
      query: Type.Object({
        page_token: Type.Optional(Type.String()),
        only_terminal: Type.Optional(Type.Boolean()),
        only_completed: Type.Optional(Type.Boolean()),
        ascending: Type.Optional(Type.Boolean()),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      }),
      response: Type.Object(
        { data: Type.Optional(Type.Array(BulkSyncExecution)), pagination: Type.Optional(PaginationDetails) },
        { title: 'ListBulkSyncExecutionsEnvelope' },
      ),
      errors: [404],
      handler: async ({ caller, params, query }) => {
        const sync = await bulkSyncs.requireSync(caller, params.id);
        const limit = query.limit ?? 50;
        const rows = await repositories.bulkExecutions.page(sync.id, {
          ascending: Boolean(query.ascending),
          limit: limit + 1,
          onlyTerminal: Boolean(query.only_terminal || query.only_completed),
          after: query.page_token ? executionPagePosition(query.page_token) : undefined,
        });
        const page = rows.slice(0, limit);
        return {
          data: page.map(bulkExecutionToWire),
          pagination: rows.length > limit ? { next_page_token: executionPageToken(page[page.length - 1]!) } : {},
        };
      },
    },
    {
      operationId: 'bulkSync.executions.get',
      method: 'GET',
      path: '/api/bulk/syncs/{id}/executions/{exec_id}',
      summary: 'One execution with its per-schema status and counts.',
      access: 'organization',
      params: ExecutionParams,
      response: Envelope('BulkSyncExecutionEnvelope', BulkSyncExecution),
      errors: [404],
      handler: async ({ caller, params }) => ({
        data: bulkExecutionToWire((await execution(caller, params.id, params.exec_id)).row),
      }),
    },
    {
      operationId: 'bulkSync.cancel',
      method: 'POST',
      path: '/api/bulk/syncs/{id}/cancel',
      summary: "Cancel the sync's open execution; the batch in flight rolls back and the destination stays consistent.",
      access: 'organization',
      params: IdParams,
      response: CancelEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const canceled = await executions.cancel(await bulkSyncs.requireSync(caller, params.id));
        return {
          data: { message: canceled ? `Execution ${canceled.id} is ${canceled.status}.` : 'No execution is running.' },
        };
      },
    },
    {
      operationId: 'bulkSync.executions.cancel',
      method: 'POST',
      path: '/api/bulk/syncs/{id}/executions/{exec_id}/cancel',
      summary: 'Cancel one execution.',
      access: 'organization',
      params: ExecutionParams,
      response: CancelEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const canceled = await executions.cancel(await bulkSyncs.requireSync(caller, params.id), params.exec_id);
        return { data: { message: `Execution ${canceled!.id} is ${canceled!.status}.` } };
      },
    },
    {
      operationId: 'bulkSync.schemas.cancel',
      method: 'POST',
      path: '/api/bulk/syncs/{id}/schemas/{schema_id}/cancel',
      summary:
        'Cancel the open execution of a sync that copies this schema. Schemas copy in parallel within one execution, so the whole execution stops; completed schemas keep their data.',
      access: 'organization',
      params: Type.Object({ id: Type.String(), schema_id: Type.String() }),
      response: CancelEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        const sync = await bulkSyncs.requireSync(caller, params.id);
        if (!(await bulkSyncs.schemas(sync)).some((schema) => schema.id === params.schema_id)) throw notFound('schema');
        const canceled = await executions.cancel(sync);
        return {
          data: { message: canceled ? `Execution ${canceled.id} is ${canceled.status}.` : 'No execution is running.' },
        };
      },
    },
    {
      operationId: 'bulkSync.getStatus',
      method: 'GET',
      path: '/api/bulk/syncs/{id}/status',
      summary:
        'The open execution (if any), the last finished one, when the next one is due, and for a sync with change capture how far its change stream is behind (`ingestion_status`).',
      access: 'organization',
      params: IdParams,
      response: Envelope('BulkSyncStatusEnvelope', BulkSyncStatusResponse),
      errors: [404, 500],
      handler: async ({ caller, params }) => {
        const sync = await bulkSyncs.requireSync(caller, params.id);
        const current = await repositories.bulkExecutions.open(sync.id);
        const last = await repositories.bulkExecutions.latest(sync.id, true);
        // When the scheduler fires next (UTC), the earliest of the default and additional schedules.
        const next = (await bulkSyncNextExecutionTime(context, sync))?.toISOString();
        const capture = await bulkSyncs.changeStreams.status(sync);
        return {
          data: {
            ...(current ? { current_execution: bulkExecutionToWire(current) } : {}),
            ...(capture ? { ingestion_status: ingestionStatusToWire(capture, Boolean(current)) } : {}),
            ...(last ? { last_execution: bulkExecutionToWire(last) } : {}),
            ...(next ? { next_execution_time: next } : {}),
          },
        };
      },
    },
    {
      operationId: 'bulkSync.executions.listStatus',
      method: 'GET',
      path: '/api/bulk/syncs/status',
      summary:
        'The latest execution status of several syncs: every sync (all=true), the active ones (active=true), or those named by sync_id.',
      access: 'organization',
      query: Type.Object({
        all: Type.Optional(Type.Boolean()),
        active: Type.Optional(Type.Boolean()),
        sync_id: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
      }),
      response: Type.Object(
        { data: Type.Optional(Type.Array(Loose('BulkSyncExecutionStatus'))) },
        { title: 'ListBulkSyncExecutionsStatusEnvelope' },
      ),
      errors: [404],
      handler: async ({ caller, query }) => {
        const ids = query.sync_id === undefined ? [] : Array.isArray(query.sync_id) ? query.sync_id : [query.sync_id];
        let syncs = await repositories.bulkSyncs.list(caller.organizationId, query.active ? { active: true } : {});
        if (!query.all && !query.active) syncs = syncs.filter((sync) => ids.includes(sync.id));
        const data = [];
        for (const sync of syncs) {
          const latest = await repositories.bulkExecutions.latest(sync.id, false);
          const schemas = latest
            ? (JSON.parse(latest.schemas) as Array<Record<string, unknown>>).map((schema) => ({
                ...schema,
                execution_id: latest.id,
              }))
            : [];
          // When the scheduler fires next (UTC), the earliest of the default and additional schedules.
          const next = (await bulkSyncNextExecutionTime(context, sync))?.toISOString();
          data.push({
            sync_id: sync.id,
            ...(latest ? { status: latest.status } : {}),
            ...(next ? { nextExecutionTime: next } : {}),
            schemas,
          });
        }
        return { data };
      },
    },
    {
      operationId: 'bulkSync.executions.getConsoleLogs',
      method: 'GET',
      path: '/api/bulk/syncs/{sync_id}/executions/{execution_id}/consolelog',
      summary:
        "The execution's console log across schemas, oldest first; limit at most 50, `after` = the last entry's id (next_cursor). Entries appear while the execution runs.",
      access: 'organization',
      params: ConsoleParams,
      query: ConsoleLogQuery,
      response: ConsoleLogEnvelope,
      errors: [400, 404, 408, 500],
      handler: async ({ caller, params, query }) => {
        const { row } = await execution(caller, params.sync_id, params.execution_id);
        return consoleLogPage(consoleLog, row.id, undefined, query);
      },
    },
    {
      operationId: 'bulkSync.executions.getSchemaConsoleLogs',
      method: 'GET',
      path: '/api/bulk/syncs/{sync_id}/executions/{execution_id}/schemas/{schema_id}/consolelog',
      summary: "One schema's console log within an execution.",
      access: 'organization',
      params: SchemaConsoleParams,
      query: ConsoleLogQuery,
      response: ConsoleLogEnvelope,
      errors: [400, 404, 408, 500],
      handler: async ({ caller, params, query }) => {
        const { row } = await execution(caller, params.sync_id, params.execution_id);
        return consoleLogPage(consoleLog, row.id, params.schema_id, query);
      },
    },
  ];
}
