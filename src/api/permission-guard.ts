// Puts the permission checks in front of every route of connections, models, model syncs and bulk syncs, from
// one table: route → what it does to which object. The decisions are the permissions service's; this file only
// reads the object's id from the path (or the body's references), and filters lists and entity lookups to what the
// caller may read. A route of those resources missing from the table fails the server's start, so a new route
// cannot ship unguarded.
import { DomainError, notFound } from '../domain/domain-error.ts';
import type { ObjectKind, PolicyActionName } from '../domain/permission-model.ts';
import { unrestricted, type PermissionsService } from '../services/permissions-service.ts';
import { routeKey, type HandlerInput, type PrecheckInput, type RouteDefinition } from './route.ts';
import { StoredRows } from './stored-rows.ts';

type BodyPath = readonly string[];
/** Connections a body names, and the action each needs (reading from it, writing into it). */
type ConnectionUses = ReadonlyArray<{ action: 'sync_from' | 'sync_to'; body: BodyPath }>;

const modelSource: ConnectionUses = [{ action: 'sync_from', body: ['connection_id'] }];
const syncTarget: ConnectionUses = [{ action: 'sync_to', body: ['target', 'connection_id'] }];
const bulkEnds: ConnectionUses = [
  { action: 'sync_from', body: ['source_connection_id'] },
  { action: 'sync_to', body: ['destination_connection_id'] },
];

type PermissionRule =
  /** An action on the object whose id is the path parameter; `uses` as for creates. */
  | { on: ObjectKind; action: PolicyActionName; param: string; uses?: ConnectionUses; policies?: boolean }
  /** Creates an object of the kind; `uses` are the connections its body names. */
  | { create: ObjectKind; uses?: ConnectionUses; policies?: boolean }
  /** A list whose `data[].<idField>` are objects of the kind: the caller sees those it may read. */
  | { list: ObjectKind; idField?: string }
  /** GET /api/entities/{id}: an entity of a guarded kind the caller may not read is not found. */
  | { entity: true }
  /** Touches no object (the reason is the documentation). */
  | { none: string };

const connection = (action: PolicyActionName, param = 'id'): PermissionRule => ({ on: 'connection', action, param });
const model = (action: PolicyActionName): PermissionRule => ({ on: 'model', action, param: 'id' });
const modelSync = (action: PolicyActionName, param = 'id'): PermissionRule => ({ on: 'model_sync', action, param });
const bulkSync = (action: PolicyActionName, param = 'id'): PermissionRule => ({ on: 'bulk_sync', action, param });

const rules: Readonly<Record<string, PermissionRule>> = {
  'GET /api/entities/{id}': { entity: true },
  // Connections and what hangs off them.
  'GET /api/connections': { list: 'connection' },
  'POST /api/connections': { create: 'connection', policies: true },
  'POST /api/connections/test': { create: 'connection' },
  'POST /api/connections/connect': { create: 'connection' },
  'GET /api/connections/{id}': connection('read'),
  'PUT /api/connections/{id}': { ...connection('edit'), policies: true },
  'DELETE /api/connections/{id}': connection('delete'),
  'GET /api/connections/{id}/parameter_values': connection('read'),
  'GET /api/connections/{id}/shared': connection('read'),
  'GET /api/connections/{id}/bulksync/source': connection('read'),
  'GET /api/connections/{id}/bulksync/target': connection('read'),
  'GET /api/connections/{id}/modelsync/source': connection('read'),
  'GET /api/connections/{id}/modelsync/source/fields': connection('read'),
  'GET /api/connections/{id}/modelsync/targetobjects': connection('read'),
  'GET /api/connections/{id}/modelsync/target/fields': connection('read'),
  'GET /api/connections/{id}/modelsync/targetobjects/properties/{property}': connection('read'),
  'GET /api/connections/{id}/modelsync/target': connection('read'),
  'GET /api/connections/{id}/modelsync/enrichment-source': connection('read'),
  'POST /api/enrichment/{connection_id}/inputfields': connection('read', 'connection_id'),
  // The proxy sends any request upstream with the connection's credentials: a change, not a read.
  'POST /api/connections/{id}/proxy': connection('edit'),
  'GET /api/connections/{id}/proxy/info': connection('read'),
  'POST /api/connections/{id}/schemas/refresh': connection('edit'),
  'GET /api/connections/{id}/schemas/status': connection('read'),
  'GET /api/connections/{id}/schemas/{schema_id}': connection('read'),
  'GET /api/connections/{id}/schemas/{schema_id}/records': connection('sync_from'),
  'POST /api/connections/{connection_id}/schemas/{schema_id}/fields': connection('edit', 'connection_id'),
  'PATCH /api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}': connection('edit', 'connection_id'),
  'DELETE /api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}': connection('edit', 'connection_id'),
  'PUT /api/connections/{connection_id}/schemas/{schema_id}/primary_keys': connection('edit', 'connection_id'),
  'DELETE /api/connections/{connection_id}/schemas/{schema_id}/primary_keys': connection('edit', 'connection_id'),
  // Running a query reads the connection's data out, as a sync from it would.
  'POST /api/connections/{connection_id}/query': connection('sync_from', 'connection_id'),
  // Models.
  'GET /api/models': { list: 'model' },
  'POST /api/models': { create: 'model', uses: modelSource, policies: true },
  'POST /api/model-preview': { create: 'model', uses: modelSource },
  'GET /api/models/{id}': model('read'),
  'PUT /api/models/{id}': { ...model('edit'), uses: modelSource, policies: true },
  'DELETE /api/models/{id}': model('delete'),
  'GET /api/models/{id}/sample': model('read'),
  // Model syncs and their executions.
  'GET /api/syncs': { list: 'model_sync' },
  'POST /api/syncs': { create: 'model_sync', uses: syncTarget, policies: true },
  'GET /api/syncs/schedules': { none: 'the schedule options Ferry offers, the same for everyone' },
  'GET /api/syncs/{id}': modelSync('read'),
  'PUT /api/syncs/{id}': { ...modelSync('edit'), uses: syncTarget, policies: true },
  'DELETE /api/syncs/{id}': modelSync('delete'),
  'POST /api/syncs/{id}/activate': modelSync('edit'),
  'POST /api/syncs/{id}/executions': modelSync('trigger'),
  'POST /api/syncs/{id}/cancel': modelSync('trigger'),
  'GET /api/syncs/{id}/status': modelSync('read'),
  'GET /api/syncs/{sync_id}/executions': modelSync('read', 'sync_id'),
  'GET /api/syncs/{sync_id}/executions/{id}': modelSync('read', 'sync_id'),
  'POST /api/syncs/{sync_id}/executions/{id}/cancel': modelSync('trigger', 'sync_id'),
  'PUT /api/syncs/{sync_id}/executions/{id}': modelSync('trigger', 'sync_id'),
  'GET /api/syncs/{sync_id}/executions/{id}/logs': modelSync('read', 'sync_id'),
  'GET /api/syncs/{sync_id}/executions/{id}/consolelog': modelSync('read', 'sync_id'),
  'GET /api/syncs/{sync_id}/executions/{id}/{type}': modelSync('read', 'sync_id'),
  // Bulk syncs, their schemas, schedules and executions.
  'GET /api/bulk/syncs': { list: 'bulk_sync' },
  'GET /api/bulk/syncs/status': { list: 'bulk_sync', idField: 'sync_id' },
  'POST /api/bulk/syncs': { create: 'bulk_sync', uses: bulkEnds, policies: true },
  'GET /api/bulk/syncs/{id}': bulkSync('read'),
  'PUT /api/bulk/syncs/{id}': { ...bulkSync('edit'), uses: bulkEnds, policies: true },
  'DELETE /api/bulk/syncs/{id}': bulkSync('delete'),
  'POST /api/bulk/syncs/{id}/activate': bulkSync('edit'),
  'GET /api/bulk/syncs/{id}/schemas': bulkSync('read'),
  'PATCH /api/bulk/syncs/{id}/schemas': bulkSync('edit'),
  'GET /api/bulk/syncs/{id}/schemas/{schema_id}': bulkSync('read'),
  'PUT /api/bulk/syncs/{id}/schemas/{schema_id}': bulkSync('edit'),
  'GET /api/bulk/syncs/{sync_id}/schedules': bulkSync('read', 'sync_id'),
  'POST /api/bulk/syncs/{sync_id}/schedules': bulkSync('edit', 'sync_id'),
  'GET /api/bulk/syncs/{sync_id}/schedules/{schedule_id}': bulkSync('read', 'sync_id'),
  'PUT /api/bulk/syncs/{sync_id}/schedules/{schedule_id}': bulkSync('edit', 'sync_id'),
  'DELETE /api/bulk/syncs/{sync_id}/schedules/{schedule_id}': bulkSync('edit', 'sync_id'),
  'POST /api/bulk/syncs/{id}/executions': bulkSync('trigger'),
  'GET /api/bulk/syncs/{id}/executions': bulkSync('read'),
  'GET /api/bulk/syncs/{id}/executions/{exec_id}': bulkSync('read'),
  'POST /api/bulk/syncs/{id}/cancel': bulkSync('trigger'),
  'POST /api/bulk/syncs/{id}/executions/{exec_id}/cancel': bulkSync('trigger'),
  'POST /api/bulk/syncs/{id}/schemas/{schema_id}/cancel': bulkSync('trigger'),
  'GET /api/bulk/syncs/{id}/status': bulkSync('read'),
  'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/consolelog': bulkSync('read', 'sync_id'),
  'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/schemas/{schema_id}/consolelog': bulkSync('read', 'sync_id'),
  'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/logs': bulkSync('read', 'sync_id'),
  'POST /api/bulk/syncs/{sync_id}/executions/{execution_id}/logs/export': bulkSync('read', 'sync_id'),
};

/** Paths of the guarded resources: each of their routes needs a rule, unless only partner keys or no key reach it. */
const guardedPaths = /^\/api\/(connections|models|model-preview|syncs|bulk|enrichment)(\/|$)/;

/**
 * Entity types of the lookup → the kind whose `read` decides whether the caller sees it, and where its id is: the
 * entity's own, or (executions) its sync's, from the relationship the lookup reports.
 */
const entityKinds: Readonly<Record<string, { kind: ObjectKind; relationship?: string }>> = {
  connection: { kind: 'connection' },
  model: { kind: 'model' },
  sync: { kind: 'model_sync' },
  bulk_sync: { kind: 'bulk_sync' },
  sync_execution: { kind: 'model_sync', relationship: 'sync' },
  bulk_sync_execution: { kind: 'bulk_sync', relationship: 'bulk_sync' },
};

function at(body: unknown, path: BodyPath): unknown {
  let value = body;
  for (const key of path)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

function namedPolicies(body: unknown): string[] | undefined {
  const value = at(body, ['policies']);
  return Array.isArray(value) ? (value as string[]) : undefined;
}

function dataOf(result: unknown): unknown {
  return typeof result === 'object' && result !== null ? (result as { data?: unknown }).data : undefined;
}

async function requireUses(uses: ConnectionUses | undefined, input: HandlerInput, permissions: PermissionsService) {
  for (const use of uses ?? []) {
    const id = at(input.body, use.body);
    if (typeof id === 'string') await permissions.requireOn(input.caller, 'connection', id, use.action);
  }
}

/**
 * The check on the object itself (or on creating one of its kind), which needs only the path: it runs before the body
 * is validated, so a caller refused the action gets the same 403 (or 404) whatever the body holds.
 */
function precheck(
  rule: Exclude<PermissionRule, { none: string }>,
  permissions: PermissionsService,
): RouteDefinition['precheck'] {
  // A caller whom no policy restricts has nothing to wait for: no promise on the path of its every read.
  if ('on' in rule)
    return (input: PrecheckInput) =>
      unrestricted(input.caller)
        ? undefined
        : permissions.requireOn(input.caller, rule.on, input.params[rule.param]!, rule.action);
  if ('create' in rule)
    return (input: PrecheckInput) =>
      unrestricted(input.caller) ? undefined : permissions.requireCreate(input.caller, rule.create);
  return undefined;
}

/** The checks that read the validated body (the connections and policies it names), and the filters of results. */
function guard(
  rule: Exclude<PermissionRule, { none: string }>,
  permissions: PermissionsService,
  handler: RouteDefinition['handler'],
) {
  // The object's own check is the precheck's: a rule that names no connections and no policies (every read) has
  // nothing left to check here, and its handler runs as it is (no wrapper's promise on the path of every read).
  if ('on' in rule && !rule.uses && !rule.policies) return handler;
  if ('on' in rule)
    return async (input: HandlerInput) => {
      const id = input.params[rule.param]!;
      await requireUses(rule.uses, input, permissions);
      const named = rule.policies ? namedPolicies(input.body) : undefined;
      if (named) {
        const attached = (await permissions.attachedPolicies(input.caller.organizationId, rule.on, id)) ?? [];
        await permissions.requireAttachable(input.caller, input.caller.organizationId, named, attached);
      }
      return handler(input);
    };
  if ('create' in rule)
    return async (input: HandlerInput) => {
      await requireUses(rule.uses, input, permissions);
      const named = rule.policies ? namedPolicies(input.body) : undefined;
      if (named) {
        const organizationId = at(input.body, ['organization_id']);
        await permissions.requireAttachable(
          input.caller,
          typeof organizationId === 'string' ? organizationId : input.caller.organizationId,
          named,
        );
      }
      return handler(input);
    };
  if ('list' in rule) {
    const idField = rule.idField ?? 'id';
    return async (input: HandlerInput) => {
      const readable = await permissions.readableIds(input.caller, rule.list);
      const result = await handler(input);
      if (result instanceof StoredRows) {
        // Its rows are filtered by their id: a rule naming another field would filter on the wrong one.
        if (idField !== 'id') throw new Error(`${rule.list} list: stored rows are filtered by id, not ${idField}`);
        return readable ? result.only((id) => readable.has(id)) : result;
      }
      const data = dataOf(result);
      if (!readable || !Array.isArray(data)) return result;
      (result as { data: unknown[] }).data = data.filter((item) =>
        readable.has((item as Record<string, unknown>)[idField] as string),
      );
      return result;
    };
  }
  return async (input: HandlerInput) => {
    const result = await handler(input);
    const entity = dataOf(result) as
      | { id?: string; type?: string; relationships?: Record<string, { id?: string }> }
      | undefined;
    const guarded = entity?.type === undefined ? undefined : entityKinds[entity.type];
    const id = guarded?.relationship ? entity?.relationships?.[guarded.relationship]?.id : entity?.id;
    if (guarded && id) {
      try {
        await permissions.requireOn(input.caller, guarded.kind, id, 'read');
      } catch (error) {
        // Whatever the entity, the caller learns only that it is not found, as for any unknown id.
        if (error instanceof DomainError && error.kind === 'not_found') throw notFound('entity');
        throw error;
      }
    }
    return result;
  };
}

/** The routes with their permission checks in front. Throws when a route of a guarded resource has no rule. */
export function guardPermissions(routes: RouteDefinition[], permissions: PermissionsService): RouteDefinition[] {
  return routes.map((route) => {
    const rule = rules[routeKey(route)];
    if (!rule) {
      if (guardedPaths.test(route.path) && route.access !== 'partner' && route.access !== 'public')
        throw new Error(`${routeKey(route)} has no permission rule (src/api/permission-guard.ts)`);
      return route;
    }
    if ('none' in rule) return route;
    const check = precheck(rule, permissions);
    return { ...route, ...(check ? { precheck: check } : {}), handler: guard(rule, permissions, route.handler) };
  });
}
