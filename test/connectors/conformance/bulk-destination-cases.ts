import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BulkDestination, Connection, FieldSpec } from '../../../src/connectors/connector.ts';
import type { RunContext } from '../../../src/domain/run-context.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';

const fields: FieldSpec[] = [
  // Sources always say what their numbers are; an integer must come back as a JS number.
  { id: 'id', type: 'number', remote_type: 'integer' },
  { id: 'name', type: 'string' },
  { id: 'amount', type: 'number' },
  { id: 'seen_at', type: 'datetime' },
];

export function bulkDestinationCases(get: SessionGetter): void {
  describe('bulk destination', () => {
    let connection: Connection;
    let context: RunContext;
    let destination: BulkDestination | undefined;
    before(() => {
      connection = get().connector.open(get().configuration);
      destination = connection.bulkDestination;
      context = createMockRunContext();
    });
    after(() => connection.close());

    test('creates a table, writes, upserts and deletes by primary key', async (t) => {
      if (!destination) return t.skip('connector has no bulk destination');
      const schemaId = get().schemaId('written');
      await destination.apply(context, { kind: 'create_table', schemaId, fields, primaryKey: ['id'] });
      await destination.apply(context, {
        kind: 'create_table',
        schemaId,
        fields,
        primaryKey: ['id'],
        ifNotExists: true,
      });
      const described = await destination.describeSchema(context, schemaId);
      assert.deepEqual(
        described?.fields.filter((field) => field.is_primary_key).map((field) => field.id),
        ['id'],
      );
      const written = await destination.write(context, {
        schemaId,
        mode: 'insert',
        records: [
          { id: 1, name: 'one', amount: '10.5', seen_at: '2024-01-01T00:00:00.000000Z' },
          { id: 2, name: 'two', amount: '20', seen_at: null },
          { id: 3, name: 'thrée 🚀', amount: null, seen_at: '2024-01-03T12:30:00.250000Z' },
        ],
      });
      assert.equal(written.written, 3);
      await destination.write(context, {
        schemaId,
        mode: 'upsert',
        primaryKey: ['id'],
        records: [
          { id: 2, name: 'two again', amount: '22', seen_at: null },
          { id: 4, name: 'four', amount: '40', seen_at: null },
        ],
      });
      await destination.write(context, { schemaId, mode: 'delete', primaryKey: ['id'], records: [{ id: 1 }] });
      const rows = await get().readTable('written', 'id');
      assert.deepEqual(
        rows.map((row) => [row.id, row.name]),
        [
          [2, 'two again'],
          [3, 'thrée 🚀'],
          [4, 'four'],
        ],
      );
      assert.equal(Number(rows[0].amount), 22);
      assert.equal(rows[1].seen_at, '2024-01-03T12:30:00.250000Z');
    });

    test('evolves a table by adding a column', async (t) => {
      if (!destination) return t.skip('connector has no bulk destination');
      const schemaId = get().schemaId('evolving');
      await destination.apply(context, {
        kind: 'create_table',
        schemaId,
        fields: fields.slice(0, 2),
        primaryKey: ['id'],
      });
      await destination.write(context, { schemaId, mode: 'insert', records: [{ id: 1, name: 'before' }] });
      await destination.apply(context, {
        kind: 'add_fields',
        schemaId,
        fields: [
          { id: 'extra', type: 'string' },
          { id: 'tags', type: 'array' },
        ],
      });
      await destination.write(context, {
        schemaId,
        mode: 'insert',
        records: [{ id: 2, name: 'after', extra: 'x', tags: ['a', 'b'] }],
      });
      const described = await destination.describeSchema(context, schemaId);
      assert.deepEqual(
        described?.fields.map((field) => field.id),
        ['id', 'name', 'extra', 'tags'],
      );
      const rows = await get().readTable('evolving', 'id');
      assert.deepEqual(
        rows.map((row) => [row.id, row.extra ?? null]),
        [
          [1, null],
          [2, 'x'],
        ],
      );
    });

    test('creates the namespace a new table names when it does not exist yet', async (t) => {
      if (!destination) return t.skip('connector has no bulk destination');
      const namespace = get().newNamespace;
      if (!namespace) return t.skip(get().noNamespaces ?? 'the harness names no new namespace');
      const schemaId = namespace.schemaId('landed');
      assert.equal(await destination.describeSchema(context, schemaId), undefined);
      await destination.apply(context, { kind: 'create_table', schemaId, fields, primaryKey: ['id'] });
      // A second preparation finds both the namespace and the table.
      await destination.apply(context, {
        kind: 'create_table',
        schemaId,
        fields,
        primaryKey: ['id'],
        ifNotExists: true,
      });
      await destination.write(context, { schemaId, mode: 'insert', records: [{ id: 1, name: 'in a new namespace' }] });
      assert.deepEqual(
        (await destination.describeSchema(context, schemaId))?.fields.map((field) => field.id),
        fields.map((field) => field.id),
      );
      const rows = await namespace.readTable('landed', 'id');
      assert.deepEqual(
        rows.map((row) => [row.id, row.name]),
        [[1, 'in a new namespace']],
      );
    });

    test('truncates and drops', async (t) => {
      if (!destination) return t.skip('connector has no bulk destination');
      const schemaId = get().schemaId('doomed');
      await destination.apply(context, {
        kind: 'create_table',
        schemaId,
        fields: fields.slice(0, 2),
        primaryKey: ['id'],
      });
      await destination.write(context, { schemaId, mode: 'insert', records: [{ id: 1, name: 'x' }] });
      await destination.apply(context, { kind: 'truncate', schemaId });
      assert.deepEqual(await get().readTable('doomed', 'id'), []);
      await destination.apply(context, { kind: 'drop', schemaId });
      assert.equal(await destination.describeSchema(context, schemaId), undefined);
      await destination.apply(context, { kind: 'drop', schemaId, ifExists: true });
      await assert.rejects(destination.apply(context, { kind: 'drop', schemaId }), { code: 'object_missing' });
    });
  });
}
