// The OpenAPI document of every version, as served: valid OpenAPI 3.1, identical to its committed snapshot under
// openapi/, and naming the spec's types of that version (type names, their properties, each endpoint's request
// and response type) wherever the spec has types for it, with the known differences listed and explained here.
import type { ReadBack } from '../kit/read-back.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { apiVersions, type ApiVersion } from '../../src/api/versioning/versions.ts';
import { openApiSnapshotPath, openApiSnapshotText } from '../../src/api/versioning/openapi-snapshot.ts';

interface SpecTypes {
  versions: Record<string, Record<string, string[]>>;
  endpoints: Record<string, Record<string, { request: string | null; response: string | null }>>;
}
const spec = JSON.parse(readFileSync(new URL('./openapi/spec-types.json', import.meta.url), 'utf8')) as SpecTypes;

/** Ferry's own types, in every version's document: its extensions of the API. */
const ferryTypes = new Set([
  'ApiError', // the spec's ApiError, with Ferry's closed list of keys (declared once for every version)
  'TestConnectionResponseEnvelope', // POST /api/connections/test answers the result (the SDK types it void)
  'PatchSchemaFieldRequest', // the seed's PATCH of one schema field (2025-09-18)
  'SchemaFieldEnvelope',
  'ExecutionLogsIndex', // the seed's GET /api/syncs/{sync_id}/executions/{id}/logs (2025-09-18)
  'ExecutionLogsIndexEnvelope',
  'ExecutionLogsIndexEntry',
  'FerryApiVersion', // GET /api/versions
  'FerryApiVersions',
  'FerryApiVersionsEnvelope',
  'WebhookDelivery', // GET /api/webhooks/{id}/deliveries
  'WebhookDeliveriesEnvelope',
]);

/** Properties whose list differs from the spec's type, in every version that has the type: why. */
const propertyExceptions: Record<string, string> = {
  ConnectionType: 'no Ferry connector uses OAuth, so oauth_prompt is never sent and not documented',
  ModelField: 'created_by is not recorded for model fields',
  SchemaConfiguration: 'user_output_name is accepted on a schema as on BulkSchema (the response carries it)',
  UpdateModelRequest: 'async is a query parameter, as the SDK sends it ("query params: async")',
  RunQueryResult: 'truncated: Ferry caps query results and says so',
  V4RunQueryResult: 'truncated: Ferry caps query results and says so',
  BulkSyncListEnvelope: 'pagination: the API reference describes page_token/limit although the SDK type lacks them',
  BulkSyncIngestionStatus: "bytes_behind: how far a sync's change stream is behind its source (x-ferry-extension)",
};

/**
 * Types Ferry documents as free-form objects (their fields are checked by the domain, which names the field at
 * fault), so the document lists no properties to compare.
 */
const freeFormTypes = new Set([
  'BulkBulkSyncSchedule',
  'BulkSyncExecution',
  'BulkSyncExecutionStatus',
  'ConnectionProxyInfoResponse',
  'ExecutionConsoleLogEntry',
  'JsonschemaSchema',
  'Schedule',
]);

/** Endpoints whose request or response type is not the spec's: why. */
const endpointExceptions: Record<string, string> = {
  'POST /api/connections/test': 'answers TestConnectionResponseEnvelope, where the SDK types the response void',
  'POST /api/connections/{}/schemas/refresh':
    'answers the refresh job (JobResponseEnvelope), where the SDK types the response void',
  'GET /api/syncs/{}/executions/{}/{}/{}':
    "answers the file's signed URL as JSON, which the SDK documents but types void",
};

/** `METHOD /path/{}/…` without a trailing slash, the spec's endpoint key. */
function endpointKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}').replace(/\/$/, '')}`;
}

function refName(schema: ReadBack): string | null {
  if (!schema) return null;
  return typeof schema.$ref === 'string' ? schema.$ref.split('/').pop()! : 'an untitled schema';
}

describe('OpenAPI documents', () => {
  let server: TestFerry;
  const documents = new Map<ApiVersion, ReadBack>();
  before(async () => {
    server = await startFerry('sqlite');
    for (const version of apiVersions)
      documents.set(version, (await call(server.url, 'GET', `/api/openapi.json?version=${version}`)).body);
  });
  after(() => server.close());

  test('every version is valid OpenAPI 3.1', async () => {
    for (const version of apiVersions) {
      const result = await new Validator().validate(documents.get(version));
      assert.equal(documents.get(version).openapi, '3.1.0');
      assert.deepEqual(result.errors ?? [], [], `${version} is not valid OpenAPI 3.1`);
      assert.equal(result.valid, true);
    }
  });

  test('every version matches its committed snapshot', () => {
    for (const version of apiVersions) {
      const path = openApiSnapshotPath(version);
      const committed = readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
      assert.ok(
        committed === openApiSnapshotText(documents.get(version)),
        `${path} differs from the document Ferry serves in ${version}: run \`npm run openapi\` and review the diff`,
      );
    }
  });

  for (const version of ['2025-09-18', '2024-02-08'] as const) {
    test(`${version}: type names and their properties are the spec's`, () => {
      const types = spec.versions[version]!;
      const problems: string[] = [];
      for (const [name, schema] of Object.entries<ReadBack>(documents.get(version).components.schemas)) {
        const specFields = types[name];
        if (specFields === undefined) {
          if (!ferryTypes.has(name) && name !== 'RestErrResponse') problems.push(`${name} is not a ${version} type`);
          continue;
        }
        if (!schema.properties) {
          if (specFields.length > 0 && schema.type === 'object' && !freeFormTypes.has(name))
            problems.push(`${name} lists no properties`);
          continue;
        }
        if (propertyExceptions[name]) continue;
        const documented = Object.keys(schema.properties).sort();
        if (documented.join() !== specFields.join())
          problems.push(
            `${name}: only documented ${documented.filter((field) => !specFields.includes(field))}; only in the spec ${specFields.filter((field) => !documented.includes(field))}`,
          );
      }
      assert.deepEqual(problems, []);
    });

    test(`${version}: each endpoint's request and response types are the spec's`, () => {
      const endpoints = spec.endpoints[version]!;
      const problems: string[] = [];
      let compared = 0;
      for (const [path, methods] of Object.entries<ReadBack>(documents.get(version).paths)) {
        for (const [method, operation] of Object.entries<ReadBack>(methods)) {
          const key = endpointKey(method, path);
          const expected = endpoints[key] ?? endpoints[`${key}/`];
          if (!expected || endpointExceptions[key]) continue;
          compared += 1;
          const success = Object.keys(operation.responses).find((status) => status.startsWith('2'))!;
          const request = refName(operation.requestBody?.content['application/json'].schema);
          const response = refName(operation.responses[success].content?.['application/json'].schema);
          if (request !== expected.request || response !== expected.response)
            problems.push(`${key}: ${request} → ${response}, the spec has ${expected.request} → ${expected.response}`);
        }
      }
      assert.deepEqual(problems, []);
      assert.ok(compared > 100, `only ${compared} endpoints compared`);
    });
  }

  test("2024-02-08 documents the wire's bulk-sync schedule, full model-sync list and SDK type names", () => {
    const document = documents.get('2024-02-08');
    const schemas = document.components.schemas;
    assert.deepEqual(
      Object.keys(schemas.BulkSyncResponse.properties).filter((name) => /schedule/.test(name)),
      ['schedule'],
    );
    assert.ok(schemas.CreateBulkSyncRequest.required.includes('schedule'));
    assert.equal(schemas.StartBulkSyncRequest.properties.resync.type, 'boolean');
    const list = document.paths['/api/syncs'].get;
    assert.equal(refName(list.responses['200'].content['application/json'].schema), 'ListModelSyncResponseEnvelope');
    assert.equal(
      schemas.ListModelSyncResponseEnvelope.properties.data.items.$ref,
      '#/components/schemas/ModelSyncResponse',
    );
    assert.deepEqual(
      list.parameters.map((parameter: ReadBack) => parameter.name),
      ['active', 'mode', 'target_connection_id'],
    );
    assert.equal(
      refName(document.paths['/api/syncs/{id}/executions'].post.requestBody.content['application/json'].schema),
      'StartModelSyncRequest',
    );
    assert.equal(schemas.StartSyncRequest, undefined);
  });

  test('2022-12-12 documents BulkDiscover values as booleans; 2023-04-25 as BulkDiscover', () => {
    for (const [version, type] of [
      ['2022-12-12', 'boolean'],
      ['2021-05-23', 'boolean'],
    ] as const) {
      const schemas = documents.get(version).components.schemas;
      for (const name of ['BulkSyncResponse', 'CreateBulkSyncRequest', 'UpdateBulkSyncRequest'])
        assert.equal(schemas[name].properties.automatically_add_new_fields.type, type, `${version} ${name}`);
    }
    const newer = documents.get('2023-04-25').components.schemas.BulkSyncResponse;
    assert.ok(newer.properties.automatically_add_new_fields.anyOf);
  });
});
