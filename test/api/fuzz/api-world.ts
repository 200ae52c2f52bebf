// A small world of real resources, made over HTTP on a SQLite Ferry, so that hostile requests reach the handlers
// instead of stopping at a 404: SQLite source and destination connections, a user field, a query, a model, a bulk
// sync with a schedule and an execution, a model sync with an execution, a custom role and policy, a webhook, and a second user (so that a request on
// `users/{id}` never touches the user whose key the tests use). `pathValue` fills a path template's
// parameters with these ids.
import type { ReadBack } from '../../kit/read-back.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, type TestFerry } from '../../kit/ferry-server.ts';

/**
 * The world's server settings: its webhook points at a closed loopback port (deliveries are refused and retried later,
 * never sent off the machine), which the address policy allows only with private upstreams on.
 */
export const apiWorldEnv = { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' };

export interface ApiWorld {
  organizationId: string;
  /** A user made for the world; not the bootstrap admin. */
  userId: string;
  sourceConnectionId: string;
  destinationConnectionId: string;
  /** The source's table, a schema id of both connections' schema routes and of the bulk sync. */
  schemaId: string;
  userFieldId: string;
  queryId: string;
  modelId: string;
  bulkSyncId: string;
  bulkScheduleId: string;
  bulkExecutionId: string;
  modelSyncId: string;
  modelSyncExecutionId: string;
  /** A custom role and a custom policy granting it `read` (built-ins cannot be deleted, so the deletes reach these). */
  roleId: string;
  policyId: string;
  webhookId: string;
  remove(): void;
}

async function created(server: TestFerry, method: string, path: string, body?: unknown): Promise<ReadBack> {
  const response = await call(server.url, method, path, { key: server.apiKey, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body?.data ?? response.body;
}

export async function createApiWorld(server: TestFerry): Promise<ApiWorld> {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-fuzz-'));
  const sourcePath = join(directory, 'source.db');
  const source = new Database(sourcePath);
  source.exec('create table items (id integer primary key, name text not null, updated_at text)');
  source.exec("insert into items values (1, 'one', '2025-01-01T00:00:00Z'), (2, 'two', '2025-01-02T00:00:00Z')");
  source.close();
  const destinationPath = join(directory, 'destination.db');
  const destination = new Database(destinationPath);
  destination.exec('create table contacts (id integer primary key, name text)');
  destination.close();
  try {
    const connection = (name: string, path: string) =>
      created(server, 'POST', '/api/connections', { name, type: 'sqlite', configuration: { path } });
    const sourceConnectionId = (await connection('Fuzz source', sourcePath)).id;
    const destinationConnectionId = (await connection('Fuzz destination', destinationPath)).id;
    const user = await created(server, 'POST', '/api/organization/users', { email: 'fuzz-user@example.com' });
    const schemaId = 'items';
    await created(server, 'POST', `/api/connections/${sourceConnectionId}/schemas/${schemaId}/fields`, {
      fields: [{ field_id: 'extra', label: 'Extra', type: 'string' }],
    });
    const query = await created(
      server,
      'POST',
      `/api/connections/${sourceConnectionId}/query?query=${encodeURIComponent('select id from items')}`,
    );
    const model = await created(server, 'POST', '/api/models', {
      name: 'Fuzz items',
      connection_id: sourceConnectionId,
      configuration: { query: 'select id, name from items' },
    });
    const bulkSync = await created(server, 'POST', '/api/bulk/syncs', {
      name: 'Fuzz copy',
      source_connection_id: sourceConnectionId,
      destination_connection_id: destinationConnectionId,
      destination_configuration: {},
      default_schedule: { frequency: 'manual' },
      additional_schedules: [{ frequency: 'daily', hour: '03', minute: '00' }],
      schemas: [schemaId],
    });
    const bulkExecution = await created(server, 'POST', `/api/bulk/syncs/${bulkSync.id}/executions`, {});
    const field = (name: string) => ({ field: name, model_id: model.id });
    const modelSync = await created(server, 'POST', '/api/syncs', {
      name: 'Fuzz items to contacts',
      mode: 'updateOrCreate',
      schedule: { frequency: 'manual' },
      target: { connection_id: destinationConnectionId, object: 'contacts' },
      identity: { source: field('id'), target: 'id', function: 'Equality' },
      fields: [{ source: field('name'), target: 'name' }],
    });
    const modelSyncExecution = await created(server, 'POST', `/api/syncs/${modelSync.id}/executions`, {});
    const role = await created(server, 'POST', '/api/permissions/roles', { name: 'Fuzz analysts' });
    const policy = await created(server, 'POST', '/api/permissions/policies', {
      name: 'Fuzz read',
      policy_actions: [{ action: 'read', role_ids: [role.id] }],
    });
    const webhook = await created(server, 'POST', '/api/webhooks', {
      endpoint: 'http://127.0.0.1:1/ferry-fuzz',
      secret: 'fuzz-webhook-secret',
    });
    return {
      organizationId: server.organizationId,
      userId: user.id,
      sourceConnectionId,
      destinationConnectionId,
      schemaId,
      userFieldId: 'extra',
      queryId: query.id,
      modelId: model.id,
      bulkSyncId: bulkSync.id,
      bulkScheduleId: bulkSync.additional_schedules[0].id,
      bulkExecutionId: bulkExecution.id,
      modelSyncId: modelSync.id,
      modelSyncExecutionId: modelSyncExecution.id,
      roleId: role.id,
      policyId: policy.id,
      webhookId: webhook.id,
      remove: () => rmSync(directory, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The real value for parameter `name` of path template `template` (`/api/bulk/syncs/{id}/schedules/{schedule_id}`):
 * decided by the literal segment before it, since `{id}` names a different resource on each route.
 */
export function pathValue(world: ApiWorld, template: string, name: string): string {
  const segments = template.split('/').filter(Boolean);
  const index = segments.indexOf(`{${name}}`);
  const before = segments[index - 1] ?? '';
  const bulk = segments[1] === 'bulk';
  switch (before) {
    case 'organizations':
      return world.organizationId;
    case 'users':
      return world.userId;
    case 'connection_types':
      return 'sqlite';
    case 'jobs':
      return 'query';
    case 'entities':
    case 'connections':
    case 'enrichment':
    case 'source':
    case 'dest':
      return world.sourceConnectionId;
    case 'schemas':
    case 'schema':
      return world.schemaId;
    case 'fields':
      return world.userFieldId;
    case 'properties':
      return 'name';
    case 'queries':
      return world.queryId;
    case 'models':
      return world.modelId;
    case 'schedules':
      return world.bulkScheduleId;
    case 'syncs':
      return bulk ? world.bulkSyncId : world.modelSyncId;
    case 'executions':
      return bulk ? world.bulkExecutionId : world.modelSyncExecutionId;
    case 'webhooks':
      return world.webhookId;
    case 'roles':
      return world.roleId;
    case 'policies':
      return world.policyId;
    case 'execution-logs':
      return 'not-a-signed-token';
  }
  // Parameters that follow another parameter: /api/jobs/{type}/{id}, /api/connections/{connection_id}/{schema_id}/…,
  // /api/syncs/{sync_id}/executions/{id}/{type}/{filename}.
  if (segments[1] === 'jobs') return world.queryId;
  if (name === 'schema_id') return world.schemaId;
  if (name === 'type') return 'records';
  if (name === 'filename') return 'records.jsonl.gz';
  throw new Error(`no value for {${name}} in ${template}`);
}
