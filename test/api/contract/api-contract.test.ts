// Contract tests: every operation of every version's OpenAPI document is called with that version's request shape
// (the version's own schemas, the world's real ids, the bodies of contract-requests.ts) and must answer a
// documented success whose body validates against that operation's response schema in the same document (ajv,
// JSON Schema 2020-12 as OpenAPI 3.1 uses), or one of the listed 4xx answers that are right in a test world.
// A route that a version lacks, but a neighbouring version has, answers 404 naming the version that served it.
import type { ReadBack } from '../../kit/read-back.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { call, startFerry, type TestFerry } from '../../kit/ferry-server.ts';
import { apiVersions, type ApiVersion } from '../../../src/api/versioning/versions.ts';
import { apiWorldEnv, createApiWorld, pathValue } from '../fuzz/api-world.ts';
import { exampleFor, type ExampleContext } from './example-values.ts';
import {
  bodyOverrides,
  expectedRefusals,
  freshResources,
  queryOverrides,
  restoreAfter,
  type ContractWorld,
} from './contract-requests.ts';

interface Operation {
  version: ApiVersion;
  method: string;
  template: string;
  operation: ReadBack;
}

function operationsOf(version: ApiVersion, document: ReadBack): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries<ReadBack>(document.paths))
    for (const [method, operation] of Object.entries<ReadBack>(methods))
      operations.push({ version, method, template, operation });
  // Deletes last, so that what they remove is not needed after (they act on fresh resources anyway).
  return operations.sort((a, b) => Number(a.method === 'delete') - Number(b.method === 'delete'));
}

/**
 * The schemas as the contract reads them: an object that lists its properties has no others, so a field the wire
 * sends but the document does not name is a disagreement too (the documents themselves leave objects open).
 */
function closed(node: ReadBack): ReadBack {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const copy: ReadBack = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, closed(value)]));
  if (copy.properties && copy.additionalProperties === undefined && copy.patternProperties === undefined)
    copy.unevaluatedProperties = false;
  return copy;
}

/** An ajv that knows one document's components, and compiles that document's schemas. */
function documentValidator(version: ApiVersion, document: ReadBack) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const id = `https://ferry.test/openapi/${version}.json`;
  ajv.addSchema({ $id: id, components: closed(document.components) });
  return (schema: ReadBack): ValidateFunction =>
    ajv.compile(closed(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${id}#/components/`))));
}

describe('API contract', () => {
  let server: TestFerry;
  let world: ContractWorld;
  let scratchDirectory: string;
  const documents = new Map<ApiVersion, ReadBack>();

  before(async () => {
    server = await startFerry('sqlite', apiWorldEnv);
    scratchDirectory = mkdtempSync(join(tmpdir(), 'ferry-contract-'));
    const scratchDatabasePath = join(scratchDirectory, 'scratch.db');
    const scratch = new Database(scratchDatabasePath);
    scratch.exec("create table items (id integer primary key, name text); insert into items values (1, 'one')");
    scratch.close();
    const child = await call(server.url, 'POST', '/api/organizations', {
      key: server.partnerKey,
      body: { name: 'Contract child' },
    });
    world = { ...(await createApiWorld(server)), scratchDatabasePath, childOrganizationId: child.body.data.id };
    for (const version of apiVersions)
      documents.set(version, (await call(server.url, 'GET', `/api/openapi.json?version=${version}`)).body);
  });
  after(async () => {
    await server.close();
    world.remove();
    rmSync(scratchDirectory, { recursive: true, force: true });
  });

  test('every operation of every version answers what its own document says', async (t) => {
    const started = Date.now();
    const failures: string[] = [];
    const refused = new Map<string, number>();
    let calls = 0;
    let operations = 0;
    for (const version of apiVersions) {
      const document = documents.get(version);
      const compile = documentValidator(version, document);
      const context: ExampleContext = {
        components: document.components.schemas,
        known: {
          connection_id: [world.sourceConnectionId],
          source_connection_id: [world.sourceConnectionId],
          destination_connection_id: [world.destinationConnectionId],
          model_id: [world.modelId],
          organization_id: [world.organizationId],
          child_organization_id: [world.childOrganizationId],
          type: ['sqlite'],
          target: ['contacts'],
          object: ['contacts'],
          field: ['id'],
          field_id: ['id'],
          redirect_url: ['http://127.0.0.1:1/back'],
        },
        values: {
          default_schedule: { frequency: 'manual' },
          schedule: { frequency: 'daily', hour: '04', minute: '00' },
        },
      };
      for (const { method, template, operation } of operationsOf(version, document)) {
        const operationId: string = operation.operationId;
        const name = `${version} ${method.toUpperCase()} ${template} (${operationId})`;
        const fresh = freshResources[operationId] ? await freshResources[operationId](server, world) : {};
        const path = template.replace(
          /\{([^}]+)\}/g,
          (_match, parameter: string) => fresh[parameter] ?? pathValue(world, template, parameter),
        );
        const query = new URLSearchParams();
        for (const parameter of operation.parameters ?? [])
          if (parameter.in === 'query' && parameter.required)
            query.set(parameter.name, String(exampleFor(parameter.schema, context, parameter.name)));
        for (const [key, value] of Object.entries(queryOverrides[operationId]?.(world) ?? {}))
          if ((operation.parameters ?? []).some((parameter: ReadBack) => parameter.name === key)) query.set(key, value);
        const bodySchema = operation.requestBody?.content['application/json'].schema;
        const body = bodySchema
          ? { ...exampleFor(bodySchema, context), ...(bodyOverrides[operationId]?.(world) ?? {}) }
          : undefined;
        const key = operation['x-ferry-access'] === 'partner' ? server.partnerKey : server.apiKey;
        // GETs are also called with every optional boolean query parameter on: those choose other response shapes.
        const switches = (operation.parameters ?? []).filter(
          (parameter: ReadBack) =>
            parameter.in === 'query' && !parameter.required && parameter.schema.type === 'boolean',
        );
        const queries = [query];
        if (method === 'get' && switches.length > 0) {
          const switched = new URLSearchParams(query);
          for (const parameter of switches) switched.set(parameter.name, 'true');
          queries.push(switched);
        }
        operations += 1;
        for (const [variant, sent] of queries.entries()) {
          const called = variant === 0 ? name : `${name} with ${switches.map((parameter: ReadBack) => parameter.name)}`;
          const response = await call(server.url, method.toUpperCase(), `${path}${sent.size ? `?${sent}` : ''}`, {
            key,
            version,
            body,
          });
          calls += 1;
          await restoreAfter[operationId]?.(server, world);
          const documented = operation.responses[String(response.status)];
          const refusal = expectedRefusals[operationId];
          const success = response.status < 300;
          if (response.headers.get('x-polytomic-version') !== version)
            failures.push(`${called}: served by another version`);
          if (!documented || (!success && refusal?.status !== response.status)) {
            failures.push(`${called}: ${response.status} ${response.text.slice(0, 300)}`);
            continue;
          }
          if (!success) refused.set(called, response.status);
          const mediaType = response.headers.get('content-type')?.split(';')[0];
          if (mediaType && mediaType !== 'application/json') {
            if (!documented.content?.[mediaType]) failures.push(`${called}: ${mediaType} is not documented`);
            continue;
          }
          const schema = documented.content?.['application/json']?.schema;
          if (!schema) {
            if (response.text !== '') failures.push(`${called}: a body where ${response.status} documents none`);
            continue;
          }
          const validate = compile(schema);
          if (!validate(response.body))
            failures.push(
              `${called}: the ${response.status} body does not match its schema: ${JSON.stringify(validate.errors?.slice(0, 3))} in ${response.text.slice(0, 300)}`,
            );
        }
      }
    }
    t.diagnostic(
      `${operations} operations × versions, ${calls} calls in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    t.diagnostic(`refused as expected: ${[...refused].map(([name, status]) => `${name} ${status}`).join('; ')}`);
    assert.equal(failures.length, 0, `${failures.length} operations broke their contract:\n${failures.join('\n')}`);
  });

  test("the contract refuses bodies in another version's shape, and fields no document names", () => {
    const newest = { data: { id: 'x', default_schedule: { frequency: 'manual' }, additional_schedules: [] } };
    const legacy = { data: { id: 'x', schedule: { frequency: 'manual' } } };
    const envelope = { $ref: '#/components/schemas/BulkSyncResponseEnvelope' };
    const in2025 = documentValidator('2025-09-18', documents.get('2025-09-18'))(envelope);
    const in2024 = documentValidator('2024-02-08', documents.get('2024-02-08'))(envelope);
    assert.equal(in2025(newest), true);
    assert.equal(in2025(legacy), false);
    assert.equal(in2024(legacy), true);
    assert.equal(in2024(newest), false);
    assert.equal(in2025({ data: { id: 'x', undocumented: 1 } }), false);
  });

  test('a route another version has answers 404 in the versions that lack it, naming the version served', async (t) => {
    let checked = 0;
    for (const [index, version] of apiVersions.entries()) {
      for (const neighbour of [apiVersions[index - 1], apiVersions[index + 1]]) {
        if (!neighbour) continue;
        const own = documents.get(version).paths;
        for (const [template, methods] of Object.entries<ReadBack>(documents.get(neighbour).paths)) {
          for (const method of Object.keys(methods)) {
            if (own[template]?.[method]) continue;
            const path = template.replace(/\{([^}]+)\}/g, (_match, parameter: string) =>
              pathValue(world, template, parameter),
            );
            const response = await call(server.url, method.toUpperCase(), path, {
              key: server.partnerKey,
              version,
              ...(method === 'get' || method === 'delete' ? {} : { body: {} }),
            });
            const name = `${method.toUpperCase()} ${template} (${neighbour} only) in ${version}`;
            assert.equal(response.status, 404, `${name}: ${response.status} ${response.text.slice(0, 200)}`);
            assert.equal(response.headers.get('x-polytomic-version'), version, name);
            checked += 1;
          }
        }
      }
    }
    t.diagnostic(`${checked} (route, version) pairs answered 404`);
    assert.ok(checked >= 40, `only ${checked} routes checked`);
  });
});
