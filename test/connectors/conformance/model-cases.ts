import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../../src/connectors/connector.ts';
import { fetchQueryPage } from '../../../src/connectors/query-page.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';
import { collect, peopleColumns, person } from './bulk-source-cases.ts';

export function modelCases(get: SessionGetter): void {
  describe('model source and target', () => {
    let connection: Connection;
    before(async () => {
      connection = get().connector.open(get().configuration);
      await get().seed(
        'model_people',
        peopleColumns,
        ['id'],
        Array.from({ length: 30 }, (_, index) => person(index + 1)),
      );
      await get().seed(
        'contacts',
        [
          { name: 'email', kind: 'text' },
          { name: 'name', kind: 'text', required: true },
          { name: 'score', kind: 'integer' },
        ],
        ['email'],
        [{ email: 'a@example.com', name: 'A', score: 1 }],
      );
    });
    after(() => connection.close());

    // The in-memory connector has no SQL: its "query" is a schema id.
    const modelQuery = () =>
      get().connector.type === 'in_memory'
        ? get().schemaId('model_people')
        : `select id, name, score from ${get().schemaId('model_people')}`;

    test('runs a model query with detected fields, streaming its rows', async (t) => {
      const source = connection.modelSource;
      if (!source) return t.skip('connector has no model source');
      const context = createMockRunContext();
      const fields = await source.describeQuery(context, modelQuery());
      assert.deepEqual(fields.map((field) => field.id).slice(0, 3), ['id', 'name', 'score']);
      assert.equal(fields[0].type, 'number');
      assert.equal(fields[1].type, 'string');
      const { rows, sizes } = await collect(source.readQuery(context, modelQuery(), { batchSize: 7 }));
      assert.equal(rows.length, 30);
      assert.ok(sizes.every((size) => size <= 7));
      await assert.rejects(
        source.describeQuery(context, get().connector.type === 'in_memory' ? 'nope' : 'select from nowhere'),
      );
    });

    test('reads the asked fields of a model query with their values (PostgreSQL: those only, in order)', async (t) => {
      const source = connection.modelSource;
      if (!source) return t.skip('connector has no model source');
      const context = createMockRunContext();
      const whole = (await collect(source.readQuery(context, modelQuery(), { batchSize: 10 }))).rows;
      const narrowed = (
        await collect(source.readQuery(context, modelQuery(), { batchSize: 10, fields: ['score', 'id'] }))
      ).rows;
      assert.equal(narrowed.length, whole.length);
      const pick = (row: Record<string, unknown>) => ({ score: row.score, id: row.id });
      const byId = (left: { id: unknown }, right: { id: unknown }) => Number(left.id) - Number(right.id);
      assert.deepEqual(narrowed.map(pick).sort(byId), whole.map(pick).sort(byId));
      if (get().connector.type === 'postgresql') {
        // Only the asked columns were read: a model row holds nothing else.
        assert.ok(
          narrowed.every((row) => Object.keys(row).join() === 'score,id'),
          JSON.stringify(narrowed[0]),
        );
        assert.ok(whole.every((row) => 'name' in row));
      }
    });

    test('pages through an ad-hoc query', async (t) => {
      const source = connection.modelSource;
      if (!source) return t.skip('connector has no model source');
      const context = createMockRunContext();
      const first = await fetchQueryPage(context, source, modelQuery(), { offset: 0, limit: 25 });
      assert.equal(first.records.length, 25);
      assert.equal(first.hasMore, true);
      const second = await fetchQueryPage(context, source, modelQuery(), { offset: 25, limit: 25 });
      assert.equal(second.records.length, 5);
      assert.equal(second.hasMore, false);
    });

    test('lists target objects and fields, creates a field, writes by identity with per-record rejections', async (t) => {
      const target = connection.modelTarget;
      if (!target) return t.skip('connector has no model target');
      const context = createMockRunContext();
      const objectId = get().schemaId('contacts');
      const objects = await target.listObjects(context);
      assert.ok(objects.some((object) => object.id === objectId && object.modes.includes('updateOrCreate')));
      await target.createField(context, objectId, { id: 'nickname', type: 'string' });
      const fields = await target.describeObject(context, objectId);
      assert.deepEqual(
        fields.map((field) => field.id),
        ['email', 'name', 'score', 'nickname'],
      );
      assert.equal(fields.find((field) => field.id === 'name')?.required, true);

      const inserted = await target.write(context, {
        objectId,
        operation: 'insert',
        identity: ['email'],
        records: [
          { email: 'b@example.com', name: 'B 🚀', score: 2, nickname: 'bee' },
          { email: 'c@example.com', name: null, score: 3 },
          { email: 'd@example.com', name: 'D', score: 4 },
        ],
      });
      assert.equal(inserted.inserted, 2);
      assert.deepEqual(
        inserted.rejected.map((rejection) => [rejection.index, rejection.code]),
        [[1, 'constraint_violation']],
      );

      const updated = await target.write(context, {
        objectId,
        operation: 'update',
        identity: ['email'],
        records: [
          { email: 'a@example.com', score: 10 },
          { email: 'zzz@example.com', score: 0 },
        ],
      });
      assert.equal(updated.updated, 1);
      assert.deepEqual(
        updated.rejected.map((rejection) => [rejection.index, rejection.code]),
        [[1, 'record_not_found']],
      );

      const upserted = await target.write(context, {
        objectId,
        operation: 'upsert',
        identity: ['email'],
        records: [
          { email: 'b@example.com', name: 'B2', score: 20 },
          { email: 'e@example.com', name: 'E', score: 5 },
        ],
      });
      assert.equal(upserted.inserted + upserted.updated, 2);
      assert.deepEqual(upserted.rejected, []);

      const deleted = await target.write(context, {
        objectId,
        operation: 'delete',
        identity: ['email'],
        records: [{ email: 'd@example.com' }],
      });
      assert.equal(deleted.deleted, 1);

      const rows = await get().readTable('contacts', 'email');
      assert.deepEqual(
        rows.map((row) => [row.email, row.name, row.score, row.nickname ?? null]),
        [
          ['a@example.com', 'A', 10, null],
          ['b@example.com', 'B2', 20, 'bee'],
          ['e@example.com', 'E', 5, null],
        ],
      );
    });
  });
}
