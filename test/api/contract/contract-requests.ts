// What the contract tests send where a schema alone says too little: real bodies for the operations whose
// handlers check more than types, fresh resources for the operations that delete or rewrite one (so the world
// stands for every version), and the 4xx answers that are right in a test world, each with its reason.
import type { ReadBack } from '../../kit/read-back.ts';
import { call, type TestFerry } from '../../kit/ferry-server.ts';
import type { ApiWorld } from '../fuzz/api-world.ts';
import { uniqueSuffix } from './example-values.ts';

export interface ContractWorld extends ApiWorld {
  /** A SQLite file with the `items` table, for connections the tests make and change. */
  scratchDatabasePath: string;
  /** A child organization of the partner, for shared connections. */
  childOrganizationId: string;
}

type BodyOverride = (world: ContractWorld) => Record<string, ReadBack>;

const modelSyncBody: BodyOverride = (world) => ({
  name: `Contract sync ${uniqueSuffix()}`,
  mode: 'updateOrCreate',
  schedule: { frequency: 'manual' },
  target: { connection_id: world.destinationConnectionId, object: 'contacts' },
  identity: { source: { field: 'id', model_id: world.modelId }, target: 'id', function: 'Equality' },
  fields: [{ source: { field: 'name', model_id: world.modelId }, target: 'name' }],
});
const modelBody: BodyOverride = (world) => ({
  name: `Contract model ${uniqueSuffix()}`,
  connection_id: world.sourceConnectionId,
  configuration: { query: 'select id, name from items' },
});
const connectionBody: BodyOverride = (world) => ({
  name: `Contract connection ${uniqueSuffix()}`,
  type: 'sqlite',
  configuration: { path: world.scratchDatabasePath },
});
const bulkSyncBody: BodyOverride = (world) => ({
  name: `Contract copy ${uniqueSuffix()}`,
  source_connection_id: world.sourceConnectionId,
  destination_connection_id: world.destinationConnectionId,
  destination_configuration: {},
  schemas: [world.schemaId],
});
const policyBody: BodyOverride = (world) => ({
  name: `Contract policy ${uniqueSuffix()}`,
  policy_actions: [{ action: 'read', role_ids: [world.roleId] }],
});
const webhookBody: BodyOverride = () => ({ endpoint: 'http://127.0.0.1:1/contract', secret: 'contract-secret' });

/** Request bodies by operationId, merged over the schema's example (these keys win). */
export const bodyOverrides: Record<string, BodyOverride> = {
  'connections.create': connectionBody,
  'connections.update': connectionBody,
  'connections.testConnection': (world) => ({ type: 'sqlite', configuration: { path: world.scratchDatabasePath } }),
  'models.create': modelBody,
  'models.update': modelBody,
  'models.preview': modelBody,
  'bulkSync.create': bulkSyncBody,
  'bulkSync.update': bulkSyncBody,
  'bulkSync.schemas.patch': (world) => ({ schemas: [{ id: world.schemaId, enabled: true }] }),
  'modelSync.create': modelSyncBody,
  'modelSync.update': modelSyncBody,
  'modelSync.executions.update': () => ({ status: 'canceled' }),
  'schemas.upsertField': () => ({ fields: [{ field_id: 'contract', label: 'Contract', type: 'string' }] }),
  'schemas.setPrimaryKeys': () => ({ fields: [{ field_id: 'id', is_primary_key: true }] }),
  'permissions.policies.create': policyBody,
  'permissions.policies.update': policyBody,
  'webhooks.create': webhookBody,
  'webhooks.update': webhookBody,
  'connections.getTypeParameterValues': () => ({ field: 'path' }),
  'connections.executeProxy': () => ({ request: { method: 'GET', path: '/contract' } }),
  'notifications.setGlobalErrorSubscribers': () => ({ emails: ['contract@example.com'] }),
  // 2023-04-25 and older: the field lookups are POSTs with a JSON body.
  'modelSync.getSourceFields': () => ({ params: { query: ['select id, name from items'] } }),
  'modelSync.targets.getTargetFields': () => ({ target: 'contacts' }),
};

/** Query parameters by operationId, over the required ones the schema makes. */
export const queryOverrides: Record<string, (world: ContractWorld) => Record<string, string>> = {
  'queryRunner.runQuery': () => ({ query: 'select id, name from items' }),
  'modelSync.getSourceFields': () => ({ params: JSON.stringify({ query: ['select id, name from items'] }) }),
  'modelSync.targets.getTargetFields': () => ({ target: 'contacts' }),
  // The world's user has a key after the first version's call; force replaces it (it is not the tests' key).
  'users.createApiKey': () => ({ force: 'true' }),
};

async function made(server: TestFerry, path: string, body: unknown, key = server.apiKey): Promise<ReadBack> {
  const response = await call(server.url, 'POST', path, { key, body });
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status} ${response.text}`);
  return response.body?.data ?? response.body;
}

type Fresh = (server: TestFerry, world: ContractWorld) => Promise<Record<string, string>>;

/**
 * Operations that delete or rewrite a resource act on a fresh one, made through the newest version: path parameter
 * name → its id (names of every version: 2023-04-25 calls some of them differently).
 */
export const freshResources: Record<string, Fresh> = {
  'connections.remove': async (server, world) => ({
    id: (await made(server, '/api/connections', connectionBody(world))).id,
  }),
  'connections.update': async (server, world) => ({
    id: (await made(server, '/api/connections', connectionBody(world))).id,
  }),
  'models.delete': async (server, world) => ({ id: (await made(server, '/api/models', modelBody(world))).id }),
  'bulkSync.remove': async (server, world) => ({ id: await freshBulkSync(server, world) }),
  'bulkSync.update': async (server, world) => ({ id: await freshBulkSync(server, world) }),
  'bulkSync.schedules.remove': async (server, world) => ({
    schedule_id: (
      await made(server, `/api/bulk/syncs/${world.bulkSyncId}/schedules`, {
        schedule: { frequency: 'daily', hour: '04', minute: '00' },
      })
    ).id,
  }),
  'modelSync.delete': async (server, world) => ({ id: (await made(server, '/api/syncs', modelSyncBody(world))).id }),
  'modelSync.update': async (server, world) => ({ id: (await made(server, '/api/syncs', modelSyncBody(world))).id }),
  'schemas.deleteField': async (server, world) => {
    const fieldId = `contract_${uniqueSuffix().replace('-', '_')}`;
    await made(server, `/api/connections/${world.sourceConnectionId}/schemas/${world.schemaId}/fields`, {
      fields: [{ field_id: fieldId, label: 'Contract', type: 'string' }],
    });
    return { field_id: fieldId };
  },
  'permissions.roles.delete': async (server) => ({
    id: (await made(server, '/api/permissions/roles', { name: `Contract role ${uniqueSuffix()}` })).id,
  }),
  'permissions.policies.delete': async (server, world) => ({
    id: (await made(server, '/api/permissions/policies', policyBody(world))).id,
  }),
  'users.delete': async (server) => ({ id: await freshUser(server) }),
  'users.deleteCurrentOrgUser': async (server) => ({ id: await freshUser(server) }),
  'organization.delete': async (server) => ({
    id: (await made(server, '/api/organizations', { name: `Contract org ${uniqueSuffix()}` }, server.partnerKey)).id,
  }),
  // Target lookups read the destination (the world's source has no `contacts`).
  'modelSync.targets.getTargetFields': async (_server, world) => ({ id: world.destinationConnectionId }),
  // The proxy needs an api connection; its upstream is a closed loopback port.
  'connections.getProxyInfo': async (server) => ({ id: await apiConnection(server) }),
  'connections.executeProxy': async (server) => ({ id: await apiConnection(server) }),
  // A real log link of the world's bulk execution.
  'bulkSync.executions.logFile': async (server, world) => {
    const links = await call(
      server.url,
      'GET',
      `/api/bulk/syncs/${world.bulkSyncId}/executions/${world.bulkExecutionId}/logs`,
      {
        key: server.apiKey,
      },
    );
    const url: string = links.body.data.URLs[0];
    return { token: url.split('/').pop()! };
  },
  // One webhook per organization: the world's is the one deleted, and restoreAfter makes another.
  'webhooks.delete': async (_server, world) => ({ id: world.webhookId }),
};

/** Puts back what an operation removed from the world, for the versions after it. */
export const restoreAfter: Record<string, (server: TestFerry, world: ContractWorld) => Promise<void>> = {
  'webhooks.delete': async (server, world) => {
    world.webhookId = (await made(server, '/api/webhooks', webhookBody(world))).id;
  },
};

async function freshBulkSync(server: TestFerry, world: ContractWorld): Promise<string> {
  return (await made(server, '/api/bulk/syncs', { ...bulkSyncBody(world), default_schedule: { frequency: 'manual' } }))
    .id;
}

async function apiConnection(server: TestFerry): Promise<string> {
  const body = { name: `Contract api ${uniqueSuffix()}`, type: 'api', configuration: { url: 'http://127.0.0.1:1' } };
  return (await made(server, '/api/connections', body)).id;
}

async function freshUser(server: TestFerry): Promise<string> {
  return (await made(server, '/api/organization/users', { email: `contract-${uniqueSuffix()}@example.com` })).id;
}

/** Documented 4xx answers that are right for an operation in the test world (every version), with the reason. */
export const expectedRefusals: Record<string, { status: number; reason: string }> = {
  'webhooks.create': { status: 422, reason: 'an organization has one webhook, and the world has it' },
  'connections.executeProxy': { status: 502, reason: "the api connection's upstream is a closed loopback port" },
  'modelSync.targets.getCreateProperty': { status: 404, reason: 'SQLite connections cannot create target objects' },
  'models.getEnrichmentSource': { status: 404, reason: 'no Ferry connector is an enricher' },
  'bulkSync.executions.cancel': { status: 400, reason: "the world's bulk execution has finished" },
  'modelSync.executions.cancel': { status: 400, reason: "the world's model-sync execution has finished" },
  'modelSync.executions.update': { status: 400, reason: "the world's model-sync execution has finished" },
  'modelSync.executions.getLogs': { status: 404, reason: "the world's execution wrote no such record-log file" },
};
