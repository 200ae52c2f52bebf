// The api connector against a local JSON API with three pagination styles. Of the shared
// conformance suite the connection cases apply; the bulk-source cases assume a seeded table with a
// primary key and NOT NULL columns, which a JSON API does not declare (covered below instead).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiConnector } from '../../src/connectors/api/api-connector.ts';
import type { Row } from '../../src/connectors/records.ts';
import { connectionCases } from './conformance/connection-cases.ts';
import { collect } from './conformance/bulk-source-cases.ts';
import type { HarnessSession } from './conformance/harness.ts';
import { createMockRunContext } from '../kit/mock-run-context.ts';
import { startUpstream, type UpstreamServer } from '../proxy/upstream-server.ts';

const people: Row[] = Array.from({ length: 250 }, (_, index) => ({
  id: index + 1,
  name: `person ${index + 1}`,
  active: index % 2 === 0,
  tags: ['a'],
}));
let api: UpstreamServer;
const connector = createApiConnector({ allowPrivateUpstreams: true });

before(async () => {
  api = await startUpstream({
    '/v1/health': (request, response) => {
      response
        .writeHead(request.headers['x-api-key'] === 'k' ? 200 : 401, { 'content-type': 'application/json' })
        .end('{}');
    },
    '/v1/people/links': (request, response) => {
      const cursor = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('cursor') ?? 0);
      const slice = people.slice(cursor, cursor + 40);
      const next = cursor + 40 < people.length ? `/v1/people/links?cursor=${cursor + 40}&token=t` : null;
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ data: { items: slice }, links: { next } }));
    },
    '/v1/people/pages': (request, response) => {
      const params = new URL(request.url ?? '/', 'http://x').searchParams;
      const size = Number(params.get('per_page'));
      const page = Number(params.get('page'));
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(people.slice((page - 1) * size, page * size)));
    },
    '/v1/people/offsets': (request, response) => {
      const offset = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('skip'));
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ results: people.slice(offset, offset + 100) }));
    },
    '/v1/people/evil': (_request, response) => {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ items: [{ id: 1 }], next: 'http://169.254.169.254/steal' }));
    },
  });
});
after(() => api.close());

const base = () => ({
  url: `${api.url}/v1`,
  auth: { header: { name: 'X-Api-Key', value: 'k' } },
  parameters: [{ name: 'token', value: 't' }],
  healthcheck: '/health',
});

describe('api connector conformance (applicable cases)', () => {
  let session: HarnessSession;
  before(() => {
    session = {
      connector,
      configuration: base(),
      schemaId: (table) => table,
      nativeType: () => undefined,
      seed: async () => assert.fail('a remote API cannot be seeded'),
      readTable: async () => assert.fail('not a destination'),
      failingConfigurations: [
        { name: 'nothing listens', configuration: { url: 'http://127.0.0.1:1/v1' }, code: 'host_unreachable' },
        {
          name: 'wrong key',
          configuration: { ...base(), auth: { header: { name: 'X-Api-Key', value: 'wrong' } } },
          code: 'authentication_failed',
        },
      ],
      untestableFailures: { database_missing: 'an HTTP API has no database' },
      close: async () => {},
    };
  });
  connectionCases(() => session);
  test('conformance: bulk source, cancel', (t) =>
    t.skip('the cases seed typed tables with primary keys; a JSON API declares neither (covered below)'));
  for (const group of ['bulk destination', 'type round trip', 'model source and target']) {
    test(`conformance: ${group}`, (t) => t.skip('api connections have no such capability'));
  }
});

describe('api bulk source', () => {
  const cases = [
    [
      'next_link',
      { path: '/people/links', records_path: 'data.items', pagination: { kind: 'next_link', next_path: 'links.next' } },
    ],
    ['page', { path: '/people/pages', pagination: { kind: 'page', limit_parameter: 'per_page', limit: 30 } }],
    [
      'offset',
      { path: '/people/offsets', records_path: 'results', pagination: { kind: 'offset', offset_parameter: 'skip' } },
    ],
  ] as const;
  for (const [name, settings] of cases) {
    test(`reads every record across pages (${name}) in bounded batches`, async () => {
      const connection = connector.open({ ...base(), ...settings });
      try {
        const source = connection.bulkSource!;
        const context = createMockRunContext();
        const [schema] = await source.listSchemas(context);
        assert.equal(schema.id, settings.path);
        assert.deepEqual(
          schema.fields.map((field) => [field.id, field.type]),
          [
            ['id', 'number'],
            ['name', 'string'],
            ['active', 'boolean'],
            ['tags', 'array'],
          ],
        );
        const { rows, sizes } = await collect(source.read(context, { schemaId: settings.path, batchSize: 64 }));
        assert.deepEqual(rows, people);
        assert.ok(sizes.every((size) => size <= 64));
      } finally {
        await connection.close();
      }
    });
  }

  test('limit, fields and cursor', async () => {
    const connection = connector.open({ ...base(), ...cases[0][1] });
    try {
      const source = connection.bulkSource!;
      const context = createMockRunContext();
      const limited = await collect(source.read(context, { schemaId: '/people/links', limit: 5, fields: ['id'] }));
      assert.deepEqual(
        limited.rows,
        [1, 2, 3, 4, 5].map((id) => ({ id })),
      );
      const past = await collect(
        source.read(context, { schemaId: '/people/links', cursor: { field: 'id', after: 245 } }),
      );
      assert.deepEqual(
        past.rows.map((row) => row.id),
        [246, 247, 248, 249, 250],
      );
      const context2 = createMockRunContext();
      context2.abort();
      await assert.rejects(collect(source.read(context2, { schemaId: '/people/links' })), { code: 'canceled' });
    } finally {
      await connection.close();
    }
  });

  test('a next link that leaves the API origin is refused', async () => {
    const connection = connector.open({
      ...base(),
      path: '/people/evil',
      records_path: 'items',
      pagination: { kind: 'next_link' },
    });
    try {
      await assert.rejects(collect(connection.bulkSource!.read(createMockRunContext(), { schemaId: '/people/evil' })), {
        code: 'invalid_data',
      });
    } finally {
      await connection.close();
    }
  });
});
