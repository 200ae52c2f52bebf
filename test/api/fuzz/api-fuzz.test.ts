// The API fuzz suite: for every operation of every version's OpenAPI document, hostile requests (malformed JSON,
// wrong top-level types, missing required fields, wrong types and nulls, 100 KB strings, deep nesting, bad path ids,
// bad numbers, booleans, enum values and page tokens in the query, bad version headers) against a real SQLite
// Ferry whose world of resources lets them reach the handlers. Every answer must be below 500, every error must
// have the version's error shape, and a schema-level error about the one field a request broke must name it.
//
// FERRY_FUZZ_RUNS (cases per operation and version, default 4) and FERRY_FUZZ_SEED (default: random, printed)
// tune it; `npm run fuzz` runs it longer.
import type { ReadBack } from '../../kit/read-back.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { call, startFerry, type TestFerry } from '../../kit/ferry-server.ts';
import { apiVersions } from '../../../src/api/versioning/versions.ts';
import { apiWorldEnv, createApiWorld, pathValue, type ApiWorld } from './api-world.ts';
import { hostileRequests, type FuzzOperation, type HostileRequest } from './hostile-requests.ts';
import type { SchemaContext } from './schema-values.ts';

const runs = Number(process.env.FERRY_FUZZ_RUNS ?? 4);
const seed = Number(process.env.FERRY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Versions whose 401 body is RestErrResponse rather than ApiError. */
const restErrorVersions = new Set(['2024-02-08', '2023-04-25', '2022-12-12', '2021-05-23']);

interface Answer {
  status: number;
  text: string;
  body: ReadBack;
}

async function send(server: TestFerry, request: HostileRequest): Promise<Answer> {
  const response = await fetch(`${server.url}${request.path}${request.query ? `?${request.query}` : ''}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  let body: ReadBack;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, text, body };
}

/** What is wrong with `answer` to `request`, or undefined when it is right. */
function judge(request: HostileRequest, answer: Answer, version: string, errorKeys: Set<string>): string | undefined {
  if (answer.status >= 500) return `a ${answer.status}`;
  if (answer.status < 400) {
    if (request.expect && request.expect !== 'schema_accepts')
      return `${answer.status} where ${request.expect} was due`;
    return undefined;
  }
  const body = answer.body;
  if (typeof body !== 'object' || body === null) return 'an error body that is not a JSON object';
  if (answer.status === 401 && restErrorVersions.has(version) && !('key' in body)) {
    if (body.code !== 401 || typeof body.error !== 'string' || typeof body.status !== 'string')
      return 'a 401 that is not RestErrResponse';
    return undefined;
  }
  if (body.status !== answer.status) return `an error body whose status (${body.status}) is not the response's`;
  if (typeof body.message !== 'string' || body.message === '') return 'an error body without a message';
  if (typeof body.key !== 'string' || !errorKeys.has(body.key))
    return `an error key outside the registry (${body.key})`;
  if (body.metadata !== undefined && (typeof body.metadata !== 'object' || body.metadata === null))
    return 'error metadata that is not an object';
  const field = body.metadata?.field;
  if (body.key === 'validation_failed' && (typeof field !== 'string' || field === ''))
    return 'a validation error that names no field';
  if (request.expect === 'invalid_json' && body.key !== 'invalid_json') return `${body.key} for malformed JSON`;
  if (request.expect === 'too_deep' && body.metadata?.max_depth !== 64) return `${body.key} for a body nested too deep`;
  if (request.expect === 'unsupported_version' && body.key !== 'unsupported_version')
    return `${body.key} for a bad version header`;
  // The document said this body was valid: the server's own schemas must not refuse it.
  if (request.expect === 'schema_accepts' && body.metadata?.location === 'body')
    return 'a schema-level refusal of a body the OpenAPI document allows';
  const about = request.about;
  if (about && body.metadata?.location === about.location && typeof field === 'string') {
    const names = field === about.field || field.startsWith(`${about.field}.`) || field.startsWith(`${about.field}[`);
    if (!names) return `a ${about.location} error naming ${field}, not ${about.field}`;
  }
  return undefined;
}

async function operationsOf(server: TestFerry, world: ApiWorld, version: string) {
  const document = (await call(server.url, 'GET', `/api/openapi.json?version=${version}`)).body;
  const operations: FuzzOperation[] = [];
  for (const [template, methods] of Object.entries<Record<string, ReadBack>>(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters as Array<{
        name: string;
        in: string;
        required: boolean;
        schema: ReadBack;
      }>;
      operations.push({
        version,
        method,
        template,
        access: operation['x-ferry-access'],
        path: template.replace(/\{([^}]+)\}/g, (_match, name: string) => pathValue(world, template, name)),
        pathParameters: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
        queryParameters: parameters.filter((parameter) => parameter.in === 'query'),
        body: operation.requestBody?.content['application/json'].schema,
      });
    }
  }
  return { document, operations };
}

describe('API fuzz', () => {
  let server: TestFerry;
  let world: ApiWorld;

  before(async () => {
    server = await startFerry('sqlite', apiWorldEnv);
    world = await createApiWorld(server);
  });
  after(async () => {
    await server.close();
    world.remove();
  });

  test(`every operation of every version, ${runs} hostile requests each`, async (t) => {
    t.diagnostic(`FERRY_FUZZ_SEED=${seed} FERRY_FUZZ_RUNS=${runs}`);
    const started = Date.now();
    const planned: Array<{ operation: FuzzOperation; context: SchemaContext; errorKeys: Set<string> }> = [];
    for (const version of apiVersions) {
      const { document, operations } = await operationsOf(server, world, version);
      const context: SchemaContext = {
        components: document.components.schemas,
        known: {
          connection_id: [world.sourceConnectionId, world.destinationConnectionId],
          source_connection_id: [world.sourceConnectionId],
          destination_connection_id: [world.destinationConnectionId],
          model_id: [world.modelId],
          organization_id: [world.organizationId],
          type: ['sqlite', 'files', 'api', 'webhook', 'postgresql', 'mysql'],
          object: ['contacts', 'items'],
          field: ['id', 'name'],
          field_id: ['id', 'name', 'extra'],
          id: [world.schemaId, 'id', 'name'],
          tracking_field: ['updated_at', 'id', 'nothing'],
          function: ['Equality', 'equality', 'GreaterThan', 'IsNull', 'Between', 'InList'],
          target: ['name', 'id'],
          query: ['select id, name from items', 'select * from nothing', 'select 1/0', ''],
        },
      };
      const errorKeys = new Set<string>(document.components.schemas.ApiError.properties.key.enum);
      for (const operation of operations) planned.push({ operation, context, errorKeys });
    }
    // Deletes go last, the organization's very last, so that the world stands while the rest is tried.
    const rank = ({ operation }: (typeof planned)[number]) =>
      operation.method !== 'delete' ? 0 : operation.template === '/api/organizations/{id}' ? 2 : 1;
    planned.sort((a, b) => rank(a) - rank(b));

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let requests = 0;
    for (const [index, { operation, context, errorKeys }] of planned.entries()) {
      const key = operation.access === 'partner' ? server.partnerKey : server.apiKey;
      const headers: Record<string, string> = { 'x-polytomic-version': operation.version };
      if (operation.access !== 'public') headers.authorization = `Bearer ${key}`;
      const name = `${operation.version} ${operation.method.toUpperCase()} ${operation.template}`;
      const result = await fc.check(
        fc.asyncProperty(hostileRequests(operation, context, headers), async (request) => {
          requests += 1;
          const answer = await send(server, request);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const wrong = judge(request, answer, operation.version, errorKeys);
          if (wrong) throw new Error(`${wrong}: ${request.kind} → ${answer.status} ${answer.text.slice(0, 300)}`);
        }),
        { numRuns: runs, seed: seed + index, endOnFailure: true },
      );
      if (result.failed) {
        const request = result.counterexample?.[0] as HostileRequest | undefined;
        failures.push(
          `${name} (FERRY_FUZZ_SEED=${seed}, operation seed ${seed + index}): ${(result.errorInstance as Error)?.message}\n` +
            `    ${request?.method} ${request?.path}${request?.query ? `?${request.query.slice(0, 200)}` : ''} ${request?.body?.slice(0, 300) ?? ''}`,
        );
      }
    }
    t.diagnostic(
      `${planned.length} operations, ${requests} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    t.diagnostic(
      `statuses: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}×${count}`)
        .join(' ')}`,
    );
    assert.deepEqual(failures, [], `fuzz failures with FERRY_FUZZ_SEED=${seed}:\n${failures.join('\n')}`);
  });
});
