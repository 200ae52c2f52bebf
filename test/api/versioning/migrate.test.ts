// The version-change interpreter on its own, with synthetic routes and changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Type from 'typebox';
import type { RouteDefinition } from '../../../src/api/route.ts';
import type { VersionChange } from '../../../src/api/versioning/version-change.ts';
import { downgradeError, endpointExists, planEndpoint } from '../../../src/api/versioning/migrate.ts';
import { walk } from '../../../src/api/versioning/schema-walk.ts';

const Widget = Type.Object(
  { id: Type.String(), color: Type.Optional(Type.String()), size: Type.Optional(Type.Integer()) },
  { title: 'Widget' },
);
const WidgetEnvelope = Type.Object({ data: Type.Optional(Widget) }, { title: 'WidgetEnvelope' });
const WidgetList = Type.Object({ data: Type.Optional(Type.Array(Widget)) }, { title: 'WidgetList' });

function route(method: RouteDefinition['method'], path: string, extra: Partial<RouteDefinition> = {}): RouteDefinition {
  return {
    operationId: `${method} ${path}`,
    method,
    path,
    summary: '',
    access: 'any',
    handler: async () => undefined,
    ...extra,
  };
}

/** 2024-02-08 called `color` `colour` and had no `size`; 2023-04-25 updated with PATCH. */
const changes: VersionChange[] = [
  {
    version: '2024-02-08',
    description: 'test',
    instructions: [
      { kind: 'endpoint-added', route: 'GET /api/new-only' },
      { kind: 'endpoint-removed', route: 'GET /api/old-only' },
      { kind: 'field-added', type: 'Widget', field: 'size' },
      {
        kind: 'type-converted',
        type: 'Widget',
        up: (value) => {
          const { colour, ...rest } = value as Record<string, unknown>;
          return colour === undefined ? rest : { ...rest, color: colour };
        },
        down: (value) => {
          const { color, ...rest } = value as Record<string, unknown>;
          return color === undefined ? rest : { ...rest, colour: color };
        },
      },
    ],
  },
  {
    version: '2023-04-25',
    description: 'test',
    instructions: [
      {
        kind: 'endpoint-moved',
        route: 'PUT /api/widgets/{id}',
        to: 'PATCH /api/legacy/widgets/{widget_id}',
        params: { widget_id: 'id' },
      },
    ],
  },
];

test('endpoint-added and endpoint-removed decide which versions have an endpoint', () => {
  assert.equal(endpointExists('GET /api/new-only', '2025-09-18', changes), true);
  for (const version of ['2024-02-08', '2023-04-25', '2021-05-23'] as const)
    assert.equal(endpointExists('GET /api/new-only', version, changes), false);
  assert.equal(endpointExists('GET /api/old-only', '2025-09-18', changes), false);
  for (const version of ['2024-02-08', '2023-04-25', '2021-05-23'] as const)
    assert.equal(endpointExists('GET /api/old-only', version, changes), true);
  assert.equal(endpointExists('GET /api/widgets', '2021-05-23', changes), true);
});

test('endpoint-moved gives older versions their method, path and parameter names', () => {
  const update = route('PUT', '/api/widgets/{id}');
  assert.deepEqual(
    [planEndpoint(update, '2025-09-18', changes)!.method, planEndpoint(update, '2025-09-18', changes)!.path],
    ['PUT', '/api/widgets/{id}'],
  );
  assert.equal(planEndpoint(update, '2024-02-08', changes)!.path, '/api/widgets/{id}');
  for (const version of ['2023-04-25', '2022-12-12'] as const) {
    const older = planEndpoint(update, version, changes)!;
    assert.equal(older.method, 'PATCH');
    assert.equal(older.path, '/api/legacy/widgets/{widget_id}');
    assert.deepEqual(older.paramRenames, { widget_id: 'id' });
  }
});

test('one type change covers every endpoint that uses the type, nested in lists too', () => {
  const get = planEndpoint(route('GET', '/api/widgets/{id}', { response: WidgetEnvelope }), '2024-02-08', changes)!;
  const list = planEndpoint(route('GET', '/api/widgets', { response: WidgetList }), '2024-02-08', changes)!;
  assert.deepEqual(get.downgradeResponse({ data: { id: 'w1', color: 'red', size: 3 } }), {
    data: { id: 'w1', colour: 'red' },
  });
  assert.deepEqual(list.downgradeResponse({ data: [{ id: 'w1', color: 'red', size: 3 }, { id: 'w2' }] }), {
    data: [{ id: 'w1', colour: 'red' }, { id: 'w2' }],
  });
  const newest = planEndpoint(route('GET', '/api/widgets', { response: WidgetList }), '2025-09-18', changes)!;
  assert.deepEqual(newest.downgradeResponse({ data: [{ id: 'w1', color: 'red', size: 3 }] }), {
    data: [{ id: 'w1', color: 'red', size: 3 }],
  });
});

test('requests climb every change from their version to the newest', () => {
  const create = planEndpoint(
    route('POST', '/api/widgets', { body: Widget, response: WidgetEnvelope }),
    '2022-12-12',
    changes,
  )!;
  const upgraded = create.upgradeRequest({ params: {}, query: {}, body: { id: 'w9', colour: 'blue' } });
  assert.deepEqual(upgraded.body, { id: 'w9', color: 'blue' });
});

test('error bodies take the older shape for the statuses a change names', () => {
  const withErrors: VersionChange[] = [
    {
      version: '2024-02-08',
      description: '',
      instructions: [
        {
          kind: 'error-converted',
          status: 401,
          down: (body) => ({ error: body.message }),
          olderSchema: Type.Object({}),
        },
      ],
    },
  ];
  assert.deepEqual(downgradeError({ status: 401, message: 'no' }, '2021-05-23', withErrors), { error: 'no' });
  assert.deepEqual(downgradeError({ status: 401, message: 'no' }, '2025-09-18', withErrors), {
    status: 401,
    message: 'no',
  });
  assert.deepEqual(downgradeError({ status: 404, message: 'gone' }, '2024-02-08', withErrors), {
    status: 404,
    message: 'gone',
  });
});

const oldWidget = fc
  .record({ id: fc.string(), colour: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['id'] })
  .map((widget) => {
    const clean: Record<string, unknown> = { id: widget.id };
    if (widget.colour !== undefined) clean.colour = widget.colour;
    return clean;
  });

test('property: a 2024-02-08 body goes up and comes back down unchanged', () => {
  const endpoint = planEndpoint(
    route('POST', '/api/widgets', { body: Widget, response: Widget }),
    '2024-02-08',
    changes,
  )!;
  fc.assert(
    fc.property(oldWidget, (widget) => {
      const up = endpoint.upgradeRequest({ params: {}, query: {}, body: widget }).body;
      assert.deepEqual(endpoint.downgradeResponse(up), widget);
    }),
  );
});

test('property: a newest value without fields added later goes down and back up unchanged', () => {
  const endpoint = planEndpoint(
    route('POST', '/api/widgets', { body: Widget, response: Widget }),
    '2024-02-08',
    changes,
  )!;
  const newWidget = fc
    .record({ id: fc.string(), color: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: ['id'] })
    .map((widget) => (widget.color === undefined ? { id: widget.id } : { id: widget.id, color: widget.color }));
  fc.assert(
    fc.property(newWidget, (widget) => {
      const down = endpoint.downgradeResponse(widget);
      assert.deepEqual(endpoint.upgradeRequest({ params: {}, query: {}, body: down }).body, widget);
    }),
  );
});

test('property: walking never mutates its input', () => {
  const converters = new Map([['Widget', (value: unknown) => ({ ...(value as object), touched: true })]]);
  fc.assert(
    fc.property(
      fc.array(fc.record({ id: fc.string(), color: fc.string() }).map((widget) => ({ ...widget }))),
      (widgets) => {
        const input = { data: widgets };
        const snapshot = structuredClone(input);
        const output = walk(WidgetList, input, converters, 'post') as { data: Array<{ touched: boolean }> };
        assert.deepEqual(input, snapshot);
        assert.ok(output.data.every((widget) => widget.touched));
      },
    ),
  );
});
