// The MCP tools, one per thing an agent does with Ferry, each a call (or a few) of the public API in its default
// version. Read tools say so in their annotations (readOnlyHint); tools that start work or run SQL are marked as
// writes, and destructive where what they set off may overwrite or remove data.
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { FerryApi, FerryApiRequest } from './ferry-api.ts';

type Json = Record<string, unknown>;

/** A failed API call, as the agent reads it: the method, path and the API's own message. */
export class ToolFailure extends Error {}

export interface FerryTool {
  name: string;
  title: string;
  description: string;
  inputSchema: z.ZodRawShape;
  annotations: ToolAnnotations;
  run(api: FerryApi, input: Json): Promise<unknown>;
}

const objectOf = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

function messageOf(body: unknown): string {
  const { message, error } = objectOf(body);
  return typeof message === 'string' ? message : typeof error === 'string' ? error : '';
}

/** The API's answer body, or a ToolFailure naming the call and the API's message. */
async function send(api: FerryApi, request: FerryApiRequest): Promise<Json> {
  const answer = await api(request);
  if (answer.status >= 200 && answer.status < 300) return objectOf(answer.body);
  const message = messageOf(answer.body);
  throw new ToolFailure(`${request.method} ${request.path}: ${message || 'failed'} (HTTP ${answer.status})`);
}

const get = async (api: FerryApi, path: string) => (await send(api, { method: 'GET', path })).data;

const segment = (id: unknown) => encodeURIComponent(String(id));

function queryString(values: Record<string, unknown>): string {
  const pairs = Object.entries(values).filter(([, value]) => value !== undefined && value !== '');
  return pairs.length
    ? `?${new URLSearchParams(pairs.map(([key, value]): [string, string] => [key, String(value)]))}`
    : '';
}

const readOnly: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };

const id = (what: string) => z.string().min(1).describe(`the ${what}'s id`);

const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe('sent as Idempotency-Key: a retry with the same key answers the first call instead of starting again');

type ExecutionKind = 'model' | 'bulk';

/** Which sync an execution belongs to, and of which kind, from the entity lookup (execution ids are unique). */
async function executionOf(api: FerryApi, executionId: string): Promise<{ kind: ExecutionKind; syncId: string }> {
  const entity = objectOf(await get(api, `/api/entities/${segment(executionId)}`));
  const related = (name: string) => String(objectOf(objectOf(entity.relationships)[name]).id ?? '');
  if (entity.type === 'sync_execution') return { kind: 'model', syncId: related('sync') };
  if (entity.type === 'bulk_sync_execution') return { kind: 'bulk', syncId: related('bulk_sync') };
  throw new ToolFailure(`${executionId} is a ${String(entity.type ?? 'different entity')}, not an execution`);
}

const executionPath = (kind: ExecutionKind, syncId: string, executionId: string) =>
  kind === 'model'
    ? `/api/syncs/${segment(syncId)}/executions/${segment(executionId)}`
    : `/api/bulk/syncs/${segment(syncId)}/executions/${segment(executionId)}`;

/** How many times run_query looks for the results before it hands the agent the query id to poll itself. */
const queryPolls = 40;
const queryPollMs = 250;

const listAndGet = (plural: string, singular: string, path: string, extra = ''): FerryTool[] => [
  {
    name: `list_${plural.replaceAll(' ', '_')}`,
    title: `List ${plural}`,
    description: `The organization's ${plural} (GET ${path}).${extra}`,
    inputSchema: {},
    annotations: readOnly,
    run: (api) => get(api, path),
  },
  {
    name: `get_${singular.replaceAll(' ', '_')}`,
    title: `Get a ${singular}`,
    description: `One ${singular} by id (GET ${path}/{id}).`,
    inputSchema: { id: id(singular) },
    annotations: readOnly,
    run: (api, input) => get(api, `${path}/${segment(input.id)}`),
  },
];

export const ferryTools: FerryTool[] = [
  ...listAndGet('connections', 'connection', '/api/connections', ' Sensitive configuration fields are redacted.'),
  ...listAndGet('models', 'model', '/api/models'),
  ...listAndGet('syncs', 'sync', '/api/syncs', ' Model syncs (reverse ETL): a model pushed into a target object.'),
  ...listAndGet('bulk syncs', 'bulk sync', '/api/bulk/syncs', ' Bulk syncs (ELT): tables copied into a destination.'),
  {
    name: 'start_sync',
    title: 'Start a model sync',
    description:
      'Start an execution of a model sync (POST /api/syncs/{id}/executions); answers at once with the execution id. ' +
      'It writes to the sync’s target. Follow it with get_execution and get_execution_console_log.',
    inputSchema: {
      sync_id: id('model sync'),
      resync: z.boolean().optional().describe('compare every row again, not only the changed ones'),
      test: z.boolean().optional().describe('a test run on a few records'),
      identities: z.array(z.string()).optional().describe('only these identity values'),
      idempotency_key: idempotencyKey,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    run: async (api, { sync_id, idempotency_key, ...body }) =>
      (
        await send(api, {
          method: 'POST',
          path: `/api/syncs/${segment(sync_id)}/executions`,
          body,
          idempotencyKey: idempotency_key as string | undefined,
        })
      ).data,
  },
  {
    name: 'start_bulk_sync',
    title: 'Start a bulk sync',
    description:
      'Start an execution of a bulk sync (POST /api/bulk/syncs/{id}/executions); answers at once with the execution ' +
      'id. It writes to the destination. Follow it with get_execution and get_execution_console_log.',
    inputSchema: {
      bulk_sync_id: id('bulk sync'),
      schemas: z.array(z.string().min(1)).optional().describe('only these schemas (tables) of the sync'),
      resync_mode: z.enum(['refetch', 'resync', 'rebuild']).optional().describe('copy the schemas again from scratch'),
      test: z.boolean().optional().describe('a test run on a few records'),
      idempotency_key: idempotencyKey,
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    run: async (api, { bulk_sync_id, idempotency_key, ...body }) =>
      (
        await send(api, {
          method: 'POST',
          path: `/api/bulk/syncs/${segment(bulk_sync_id)}/executions`,
          body,
          idempotencyKey: idempotency_key as string | undefined,
        })
      ).data,
  },
  {
    name: 'cancel_execution',
    title: 'Cancel an execution',
    description:
      'Cancel a running execution of a model sync or a bulk sync (POST …/executions/{id}/cancel). What it already ' +
      'wrote stays; an execution that has ended cannot be canceled.',
    inputSchema: { execution_id: id('execution') },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: async (api, input) => {
      const { kind, syncId } = await executionOf(api, String(input.execution_id));
      const path = `${executionPath(kind, syncId, String(input.execution_id))}/cancel`;
      return (await send(api, { method: 'POST', path })).data ?? { canceling: true };
    },
  },
  {
    name: 'list_executions',
    title: 'List the executions of a sync',
    description: 'The executions of a model sync or a bulk sync (either id), newest first, one page.',
    inputSchema: { sync_id: id('model sync or bulk sync') },
    annotations: readOnly,
    run: async (api, input) => {
      const entity = objectOf(await get(api, `/api/entities/${segment(input.sync_id)}`));
      if (entity.type === 'sync') return get(api, `/api/syncs/${segment(input.sync_id)}/executions`);
      if (entity.type === 'bulk_sync') return get(api, `/api/bulk/syncs/${segment(input.sync_id)}/executions`);
      throw new ToolFailure(`${String(input.sync_id)} is a ${String(entity.type)}, not a sync or a bulk sync`);
    },
  },
  {
    name: 'get_execution',
    title: 'Get an execution',
    description:
      'The status of an execution of a model sync or a bulk sync (created, queued, running, completed, failed, ' +
      'canceled …), its counts and times. Poll it until the status is completed, failed or canceled.',
    inputSchema: { execution_id: id('execution') },
    annotations: readOnly,
    run: async (api, input) => {
      const { kind, syncId } = await executionOf(api, String(input.execution_id));
      const execution = await get(api, executionPath(kind, syncId, String(input.execution_id)));
      return { kind: kind === 'model' ? 'sync' : 'bulk_sync', sync_id: syncId, execution };
    },
  },
  {
    name: 'get_execution_console_log',
    title: "Read an execution's console log",
    description:
      'The console log of an execution of a model sync or a bulk sync, oldest first, up to 50 entries; pass the ' +
      'answer’s next_cursor as `after` for the next ones.',
    inputSchema: {
      execution_id: id('execution'),
      after: z
        .string()
        .regex(/^[0-9]+$/)
        .optional()
        .describe('next_cursor of the previous page'),
      limit: z.number().int().min(1).max(50).optional(),
    },
    annotations: readOnly,
    run: async (api, input) => {
      const { kind, syncId } = await executionOf(api, String(input.execution_id));
      const path = `${executionPath(kind, syncId, String(input.execution_id))}/consolelog`;
      return get(api, path + queryString({ after: input.after, limit: input.limit }));
    },
  },
  {
    name: 'run_query',
    title: 'Run a query',
    description:
      'Run SQL on a connection through the query runner (POST /api/connections/{id}/query) and return the first ' +
      'page of results; the SQL runs as written, so it can change data. A slow query answers with its id and ' +
      'status: read it later with get_query_results.',
    inputSchema: { connection_id: id('connection'), query: z.string().min(1).describe('the SQL') },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    run: async (api, input) => {
      const path = `/api/connections/${segment(input.connection_id)}/query${queryString({ query: input.query })}`;
      const started = objectOf((await send(api, { method: 'POST', path })).data);
      let result = started;
      for (let poll = 0; poll < queryPolls && (result.status === 'created' || result.status === 'running'); poll++) {
        await new Promise((resolve) => setTimeout(resolve, queryPollMs));
        result = objectOf(await get(api, `/api/queries/${segment(started.id)}`));
      }
      return result;
    },
  },
  {
    name: 'get_query_results',
    title: 'Get query results',
    description: 'A query run of run_query: its status and one page of results (GET /api/queries/{id}).',
    inputSchema: { query_id: id('query'), page: z.number().int().min(1).optional().describe('1-based page') },
    annotations: readOnly,
    run: async (api, input) => {
      const body = await send(api, {
        method: 'GET',
        path: `/api/queries/${segment(input.query_id)}${queryString({ page: input.page })}`,
      });
      return { ...objectOf(body.data), ...(body.links ? { links: body.links } : {}) };
    },
  },
  {
    name: 'get_entity',
    title: 'Look up an entity by id',
    description:
      'What any Ferry id is (connection, model, sync, bulk sync, execution, …), its name and related ids ' +
      '(GET /api/entities/{id}).',
    inputSchema: { id: id('entity') },
    annotations: readOnly,
    run: (api, input) => get(api, `/api/entities/${segment(input.id)}`),
  },
];
