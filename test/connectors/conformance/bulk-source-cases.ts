import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection, RecordBatch, Row } from '../../../src/connectors/connector.ts';
import { sampleRecords } from '../../../src/connectors/query-page.ts';
import type { RunContext } from '../../../src/domain/run-context.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';
import type { ColumnSpec } from './harness.ts';

export const peopleColumns: ColumnSpec[] = [
  { name: 'id', kind: 'integer' },
  { name: 'name', kind: 'text', required: true },
  { name: 'score', kind: 'decimal' },
  { name: 'active', kind: 'boolean' },
];

export function person(id: number): Row {
  return { id, name: `person ${id} 🚀`, score: `${id}.125000000`, active: id % 2 === 0 };
}

export async function collect(batches: AsyncIterable<RecordBatch>): Promise<{ rows: Row[]; sizes: number[] }> {
  const rows: Row[] = [];
  const sizes: number[] = [];
  for await (const batch of batches) {
    sizes.push(batch.length);
    rows.push(...batch);
  }
  return { rows, sizes };
}

export function bulkSourceCases(get: SessionGetter): void {
  describe('bulk source', () => {
    const count = 2500;
    let connection: Connection;
    let context: RunContext;
    let schemaId: string;
    before(async () => {
      const session = get();
      connection = session.connector.open(session.configuration);
      context = createMockRunContext();
      schemaId = session.schemaId('people');
      const rows = Array.from({ length: count }, (_, index) => person(index + 1));
      await session.seed('people', peopleColumns, ['id'], rows);
    });
    after(() => connection.close());

    test('discovers schemas with field types and primary keys', async (t) => {
      if (!connection.bulkSource) return t.skip('connector has no bulk source');
      const schemas = await connection.bulkSource.listSchemas(context);
      const people = schemas.find((schema) => schema.id === schemaId);
      assert.ok(people, `listSchemas has ${schemaId}: ${schemas.map((schema) => schema.id).join(', ')}`);
      const described = await connection.bulkSource.describeSchema(context, schemaId);
      assert.deepEqual(described, people);
      const byId = Object.fromEntries(people.fields.map((field) => [field.id, field]));
      assert.deepEqual(
        people.fields.map((field) => field.id),
        ['id', 'name', 'score', 'active'],
      );
      assert.equal(byId.id.type, 'number');
      assert.equal(byId.id.is_primary_key, true);
      assert.equal(byId.name.is_primary_key, false);
      assert.equal(byId.name.type, 'string');
      assert.equal(byId.name.nullable, false);
      assert.equal(byId.score.type, get().expectedType?.decimal ?? 'number');
      assert.equal(byId.active.type, get().expectedType?.boolean ?? 'boolean');
      for (const field of people.fields) assert.ok(field.remote_type.length > 0, `${field.id} keeps remote_type`);
      assert.equal(await connection.bulkSource.describeSchema(context, get().schemaId('no_such_table')), undefined);
    });

    test('reads every row in bounded batches', async (t) => {
      if (!connection.bulkSource) return t.skip('connector has no bulk source');
      const { rows, sizes } = await collect(connection.bulkSource.read(context, { schemaId, batchSize: 400 }));
      assert.equal(rows.length, count);
      assert.ok(
        sizes.every((size) => size <= 400),
        `batch sizes ${sizes.join(',')}`,
      );
      const sorted = rows.sort((left, right) => (left.id as number) - (right.id as number));
      assert.deepEqual(sorted[0], person(1));
      assert.deepEqual(sorted[count - 1], person(count));
    });

    test('reads selected fields and respects a limit', async (t) => {
      if (!connection.bulkSource) return t.skip('connector has no bulk source');
      const { rows } = await collect(
        connection.bulkSource.read(context, { schemaId, fields: ['id', 'name'], limit: 5 }),
      );
      assert.equal(rows.length, 5);
      assert.deepEqual(Object.keys(rows[0]).sort(), ['id', 'name']);
      const samples = await sampleRecords(context, connection.bulkSource, schemaId, 3);
      assert.equal(samples.length, 3);
    });

    test('reads incrementally past a cursor, in cursor order', async (t) => {
      if (!connection.bulkSource) return t.skip('connector has no bulk source');
      const read = (after: unknown, inclusive = false) =>
        collect(
          connection.bulkSource!.read(context, { schemaId, cursor: { field: 'id', after, inclusive }, batchSize: 300 }),
        );
      const { rows } = await read(2400);
      assert.deepEqual(
        rows.map((row) => row.id),
        Array.from({ length: 100 }, (_, index) => 2401 + index),
      );
      const inclusive = await read(2499, true);
      assert.deepEqual(
        inclusive.rows.map((row) => row.id),
        [2499, 2500],
      );
      const everything = await read(undefined);
      assert.equal(everything.rows.length, count);
      assert.equal(everything.rows[0].id, 1);
      assert.equal((await read(count)).rows.length, 0);
    });
  });
}
