// Bodies nested thousands of levels deep once overflowed the stack in version changes, validators and services
// (a 500 on 15 operations). Every body is now refused at parse time past 64 levels, with a 400 naming the limit,
// in every version and on every operation that takes a body; a body at the limit still goes through.
import type { ReadBack } from '../kit/read-back.ts';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import { apiWorldEnv, createApiWorld, pathValue, type ApiWorld } from './fuzz/api-world.ts';

/** `levels` objects inside each other, as text: JSON.stringify itself overflows on such a value. */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}[1]${'}'.repeat(levels - 1)}`;
}

/** The properties the hostile run nested deep, where a body has them; otherwise its first property. */
const deepFields = ['enricher', 'relations', 'source_configuration', 'destination_configuration', 'schemas', 'fields'];

async function send(server: TestFerry, version: string, method: string, path: string, body: string) {
  const response = await fetch(server.url + path, {
    method,
    headers: {
      authorization: `Bearer ${server.partnerKey}`,
      'content-type': 'application/json',
      'x-polytomic-version': version,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) };
}

describe('request body depth', () => {
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

  for (const version of apiVersions) {
    test(`${version}: every operation with a body answers 400 naming the limit for a body 10,000 levels deep`, async () => {
      const document = (await call(server.url, 'GET', `/api/openapi.json?version=${version}`)).body;
      let checked = 0;
      for (const [template, operations] of Object.entries<Record<string, ReadBack>>(document.paths)) {
        const path = template.replace(/\{([^}]+)\}/g, (_match, name: string) => pathValue(world, template, name));
        for (const [method, operation] of Object.entries(operations)) {
          const schema = operation.requestBody?.content['application/json'].schema;
          if (!schema) continue;
          const properties = Object.keys(
            (schema.$ref ? document.components.schemas[schema.$ref.split('/').pop()] : schema).properties ?? {},
          );
          const targets = properties.filter((name) => deepFields.includes(name));
          if (targets.length === 0) targets.push(properties[0] ?? 'a');
          const body = `{${targets.map((name) => `"${name}":${nested(10_000)}`).join(',')}}`;
          const response = await send(server, version, method.toUpperCase(), path, body);
          const where = `${method.toUpperCase()} ${template} (${targets.join(', ')})`;
          assert.equal(response.status, 400, `${where}: ${response.text.slice(0, 300)}`);
          assert.equal(response.body.key, 'bad_request', where);
          assert.equal(response.body.metadata?.max_depth, 64, where);
          assert.match(response.body.message, /64 levels/, where);
          checked += 1;
        }
      }
      assert.ok(checked >= 25, `only ${checked} operations take a body in ${version}`);
    });
  }

  test('a body exactly 64 levels deep is parsed and reaches the handler', async () => {
    const body = `{"name":"Deep enough","connection_id":"${world.sourceConnectionId}","configuration":{"query":"select id from items"},"enricher":${nested(63)}}`;
    const response = await send(server, '2025-09-18', 'POST', '/api/models', body);
    assert.notEqual(response.body.metadata?.max_depth, 64, response.text);
    assert.ok(response.status < 500, response.text);
    const tooDeep = body.replace(nested(63), nested(64));
    const refused = await send(server, '2025-09-18', 'POST', '/api/models', tooDeep);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.metadata.max_depth, 64);
  });
});
