// The merge itself (RFC 7396 with fields replaced whole) and how the interpreter plans a merge-patch endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Type from 'typebox';
import type { RouteDefinition } from '../../../src/api/route.ts';
import type { VersionChange } from '../../../src/api/versioning/version-change.ts';
import { planEndpoint } from '../../../src/api/versioning/migrate.ts';
import { mergePatch } from '../../../src/api/versioning/merge-patch.ts';

test('fields left out stay, null removes, objects merge, arrays and whole fields replace', () => {
  const current = {
    name: 'A',
    configuration: { host: 'h', database: 'd', ssl: true },
    tags: ['x', 'y'],
    schedule: { frequency: 'daily', hour: '5' },
    gone: undefined,
  };
  const merged = mergePatch(
    current,
    { configuration: { database: 'e', ssl: null }, tags: ['z'], schedule: { frequency: 'manual' } },
    ['schedule'],
  );
  assert.deepEqual(merged, {
    name: 'A',
    configuration: { host: 'h', database: 'e' },
    tags: ['z'],
    schedule: { frequency: 'manual' },
  });
  assert.deepEqual(current.configuration, { host: 'h', database: 'd', ssl: true }, 'the current body is not changed');
  assert.equal(mergePatch(current, 'text'), 'text', 'a patch that is no object replaces the whole body');
});

const Thing = Type.Object({ name: Type.String(), size: Type.Integer() }, { title: 'Thing' });
const seen: boolean[] = [];
const changes: VersionChange[] = [
  {
    version: '2023-04-25',
    description: 'test',
    instructions: [
      { kind: 'endpoint-moved', route: 'PUT /api/things/{id}', to: 'PATCH /api/things/{id}' },
      { kind: 'merge-patch', route: 'PUT /api/things/{id}' },
      {
        kind: 'type-converted',
        type: 'Thing',
        up: (value, request) => {
          seen.push(request.mergePatch);
          return value;
        },
      },
    ],
  },
];

function update(extra: Partial<RouteDefinition> = {}): RouteDefinition {
  return {
    operationId: 'things.update',
    method: 'PUT',
    path: '/api/things/{id}',
    summary: '',
    access: 'any',
    body: Thing,
    handler: async () => undefined,
    ...extra,
  };
}

test('a merge-patch endpoint is planned as one in its versions only, and its conversions know it', () => {
  const route = update({ currentBody: async () => ({ name: 'a', size: 1 }) });
  const newest = planEndpoint(route, '2025-09-18', changes)!;
  const older = planEndpoint(route, '2022-12-12', changes)!;
  assert.equal(newest.mergePatch, false);
  assert.deepEqual([older.method, older.mergePatch], ['PATCH', true]);
  older.upgradeRequest({ params: {}, query: {}, body: { name: 'b' } });
  assert.deepEqual(seen, [true]);
});

test('a merge-patch endpoint without currentBody fails the start', () => {
  assert.throws(() => planEndpoint(update(), '2023-04-25', changes), /no currentBody/);
});
