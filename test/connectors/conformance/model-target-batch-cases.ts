// Model-target writes in batches (src/connectors/sql/sql-batch-writer.ts): the per-record outcomes must be
// exactly those of writing one record after another, with a unique identity and without one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection, ModelTarget, Row, TargetWriteRequest } from '../../../src/connectors/connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';
import { collect } from './bulk-source-cases.ts';
import { typeCases } from './type-cases.ts';

const sqlTargets = new Set(['postgresql', 'mysql', 'sqlite']);

export function modelTargetBatchCases(get: SessionGetter): void {
  describe('model target batches', () => {
    let connection: Connection;
    let target: ModelTarget | undefined;
    let skip: string | undefined;
    before(async () => {
      const session = get();
      if (!sqlTargets.has(session.connector.type)) {
        skip = "the batch writer is the SQL targets'; other targets keep their own write";
        return;
      }
      connection = session.connector.open(session.configuration);
      target = connection.modelTarget;
      // Identity email is the primary key here…
      await session.seed(
        'batch_unique',
        [
          { name: 'email', kind: 'text' },
          { name: 'name', kind: 'text', required: true },
          { name: 'score', kind: 'integer' },
        ],
        ['email'],
        [
          { email: 'a@example.com', name: 'A', score: 1 },
          { email: 'b@example.com', name: 'B', score: 2 },
        ],
      );
      // …and no key at all here: two rows share x@example.com.
      await session.seed(
        'batch_loose',
        [
          { name: 'id', kind: 'integer' },
          { name: 'email', kind: 'text' },
          { name: 'name', kind: 'text', required: true },
          { name: 'score', kind: 'integer' },
        ],
        ['id'],
        [
          { id: 1, email: 'x@example.com', name: 'X1', score: 1 },
          { id: 2, email: 'x@example.com', name: 'X2', score: 2 },
          { id: 3, email: 'y@example.com', name: 'Y', score: 3 },
        ],
      );
      await session.seed(
        'batch_many',
        [
          { name: 'email', kind: 'text' },
          { name: 'name', kind: 'text' },
        ],
        ['email'],
        [],
      );
    });
    after(() => connection?.close());

    // No batch statement may be refused as a query, and only a batch holding a bad record may go record by
    // record (the writer logs both).
    const write = async (
      table: string,
      operation: TargetWriteRequest['operation'],
      records: Row[],
      identity = ['email'],
      badRecords = false,
    ) => {
      const context = createMockRunContext();
      const result = await target!.write(context, { objectId: get().schemaId(table), operation, identity, records });
      assert.deepEqual(
        context.lines.filter((line) => line.level === 'warn'),
        [],
      );
      const fallbacks = context.lines.filter((line) => line.message?.includes('record by record')).length;
      assert.equal(fallbacks > 0, badRecords, `fallbacks to the per-record path: ${fallbacks}`);
      return result;
    };
    const rejections = (result: { rejected: { index: number; code: string }[] }) =>
      result.rejected.map((rejection) => [rejection.index, rejection.code]);
    const table = async (name: string, orderBy: string, columns: string[]) =>
      (await get().readTable(name, orderBy)).map((row) => columns.map((column) => row[column] ?? null));

    test('unique identity: upsert, update and delete a batch, missing records are record_not_found', async (t) => {
      if (skip) return t.skip(skip);
      const upserted = await write('batch_unique', 'upsert', [
        { email: 'a@example.com', name: 'A2', score: 10 },
        { email: 'c@example.com', name: 'C', score: 3 },
        { email: 'd@example.com', name: 'D' },
      ]);
      assert.deepEqual([upserted.inserted, upserted.updated, upserted.rejected], [2, 1, []]);
      const updated = await write('batch_unique', 'update', [
        { email: 'b@example.com', score: 20 },
        { email: 'nobody@example.com', score: 0 },
        { email: 'c@example.com', name: 'C2' },
      ]);
      assert.deepEqual([updated.updated, rejections(updated)], [2, [[1, 'record_not_found']]]);
      const deleted = await write('batch_unique', 'delete', [
        { email: 'd@example.com' },
        { email: 'nobody@example.com' },
      ]);
      assert.deepEqual([deleted.deleted, rejections(deleted)], [1, [[1, 'record_not_found']]]);
      // Only the fields a record carries change: b keeps its name, c its score.
      assert.deepEqual(await table('batch_unique', 'email', ['email', 'name', 'score']), [
        ['a@example.com', 'A2', 10],
        ['b@example.com', 'B', 20],
        ['c@example.com', 'C2', 3],
      ]);
    });

    test('a repeated identity in one batch: the later record wins, as one record after another', async (t) => {
      if (skip) return t.skip(skip);
      const upserted = await write('batch_unique', 'upsert', [
        { email: 'e@example.com', name: 'first', score: 1 },
        { email: 'a@example.com', name: 'A3', score: 11 },
        { email: 'e@example.com', name: 'last', score: 2 },
      ]);
      assert.deepEqual([upserted.inserted, upserted.updated, upserted.rejected], [1, 2, []]);
      assert.deepEqual(
        (await table('batch_unique', 'email', ['email', 'name'])).find(([email]) => email === 'e@example.com'),
        ['e@example.com', 'last'],
      );
      const deleted = await write('batch_unique', 'delete', [{ email: 'e@example.com' }, { email: 'e@example.com' }]);
      assert.deepEqual([deleted.deleted, rejections(deleted)], [1, [[1, 'record_not_found']]]);
      const rows = (await table('batch_unique', 'email', ['email', 'name'])).filter(
        ([email]) => email === 'a@example.com' || email === 'e@example.com',
      );
      assert.deepEqual(rows, [['a@example.com', 'A3']]);
    });

    test('one bad record in a batch is rejected alone; the rest commit (insert, upsert, update)', async (t) => {
      if (skip) return t.skip(skip);
      const people = (prefix: string): Row[] =>
        Array.from({ length: 40 }, (_, index) => ({
          email: `${prefix}${index}@example.com`,
          name: `${prefix}${index}`,
          score: index,
        }));
      const inserts = people('i');
      inserts[17] = { ...inserts[17], name: null };
      const inserted = await write('batch_unique', 'insert', inserts, [], true);
      assert.deepEqual([inserted.inserted, rejections(inserted)], [39, [[17, 'constraint_violation']]]);

      const upserts: Row[] = [...people('i').slice(0, 20), ...people('u').slice(0, 20)].map((row) => ({
        ...row,
        score: Number(row.score) + 100,
      }));
      upserts[3] = { ...upserts[3], name: null };
      upserts[25] = { ...upserts[25], name: null };
      const upserted = await write('batch_unique', 'upsert', upserts, ['email'], true);
      assert.deepEqual(rejections(upserted), [
        [3, 'constraint_violation'],
        [25, 'constraint_violation'],
      ]);
      // i17 was never inserted, so its upsert is an insert.
      assert.deepEqual([upserted.inserted, upserted.updated], [20, 18]);

      const updated = await write(
        'batch_unique',
        'update',
        [
          { email: 'u0@example.com', name: null },
          { email: 'u1@example.com', name: 'renamed' },
        ],
        ['email'],
        true,
      );
      assert.deepEqual([updated.updated, rejections(updated)], [1, [[0, 'constraint_violation']]]);
      const rows = new Map(
        (await table('batch_unique', 'email', ['email', 'name', 'score']))
          .filter(([email]) => /^[iu]\d/.test(String(email)))
          .map((row) => [row[0], row]),
      );
      // i0–i39 (i17 by the upsert) and u0–u19 but u5.
      assert.equal(rows.size, 40 + 19);
      assert.deepEqual(rows.get('i3@example.com'), ['i3@example.com', 'i3', 3]);
      assert.deepEqual(rows.get('i17@example.com'), ['i17@example.com', 'i17', 117]);
      assert.deepEqual(rows.get('u0@example.com'), ['u0@example.com', 'u0', 100]);
      assert.deepEqual(rows.get('u1@example.com'), ['u1@example.com', 'renamed', 101]);
      assert.equal(rows.has('u5@example.com'), false);
    });

    test('identity that is not a unique key: every matching row is updated or deleted, one outcome per record', async (t) => {
      if (skip) return t.skip(skip);
      const updated = await write('batch_loose', 'update', [
        { email: 'x@example.com', score: 7 },
        { email: 'nobody@example.com', score: 0 },
      ]);
      assert.deepEqual([updated.updated, rejections(updated)], [1, [[1, 'record_not_found']]]);
      const upserted = await write('batch_loose', 'upsert', [
        { id: 4, email: 'z@example.com', name: 'Z', score: 4 },
        { id: 3, email: 'y@example.com', name: 'Y2', score: 30 },
      ]);
      assert.deepEqual([upserted.inserted, upserted.updated, upserted.rejected], [1, 1, []]);
      assert.deepEqual(await table('batch_loose', 'id', ['id', 'email', 'name', 'score']), [
        [1, 'x@example.com', 'X1', 7],
        [2, 'x@example.com', 'X2', 7],
        [3, 'y@example.com', 'Y2', 30],
        [4, 'z@example.com', 'Z', 4],
      ]);
      const deleted = await write('batch_loose', 'delete', [{ email: 'x@example.com' }, { email: 'z@example.com' }]);
      assert.deepEqual([deleted.deleted, deleted.rejected], [2, []]);
      assert.deepEqual(await table('batch_loose', 'id', ['id']), [[3]]);
    });

    test('a request over the parameter limit is written in chunks (25,000 records, 3 parameters each)', async (t) => {
      if (skip) return t.skip(skip);
      const count = 25_000;
      const records = Array.from({ length: count }, (_, index) => ({
        email: `m${index}@example.com`,
        name: `M${index}`,
      }));
      const inserted = await write('batch_many', 'upsert', records);
      assert.deepEqual([inserted.inserted, inserted.updated, inserted.rejected], [count, 0, []]);
      const renamed = records.map((record) => ({ ...record, name: `${record.name}!` }));
      renamed.push({ email: 'new@example.com', name: 'N' });
      const updated = await write('batch_many', 'upsert', renamed);
      assert.deepEqual([updated.inserted, updated.updated, updated.rejected], [1, count, []]);
      const rows = await get().readTable('batch_many', 'email');
      assert.equal(rows.length, count + 1);
      assert.ok(rows.every((row) => row.email === 'new@example.com' || String(row.name).endsWith('!')));
      const deleted = await write(
        'batch_many',
        'delete',
        renamed.map((record) => ({ email: record.email })),
      );
      assert.deepEqual([deleted.deleted, deleted.rejected], [count + 1, []]);
      assert.equal((await get().readTable('batch_many', 'email')).length, 0);
    });

    // The batch UPDATE carries values through the dialect's VALUES table (in PostgreSQL, COPY text into a staging
    // table typed as the column): every kind must arrive as the per-record path would write it, and match as identity.
    for (const typeCase of typeCases) {
      test(`${typeCase.kind}: values survive a batch update, and match as identity`, async (t) => {
        if (skip) return t.skip(skip);
        const session = get();
        if (!session.nativeType(typeCase.kind)) return t.skip(`${session.connector.type} has no ${typeCase.kind} type`);
        const table = `batch_types_${typeCase.kind}`;
        const count = typeCase.values.length;
        await session.seed(
          table,
          [
            { name: 'id', kind: 'integer' },
            { name: 'v', kind: typeCase.kind },
            { name: 'n', kind: 'integer' },
          ],
          ['id'],
          typeCase.values.map((_value, index) => ({ id: index + 1, v: null, n: 0 })),
        );
        const updated = await write(
          table,
          'update',
          typeCase.values.map((value, index) => ({ id: index + 1, v: value.written })),
          ['id'],
        );
        assert.deepEqual([updated.updated, updated.rejected], [count, []]);
        const read = async () =>
          (
            await collect(connection.bulkSource!.read(createMockRunContext(), { schemaId: session.schemaId(table) }))
          ).rows.sort((left, right) => Number(left.id) - Number(right.id));
        assert.deepEqual(
          (await read()).map((row) => row.v),
          typeCase.values.map((value) => value.read),
        );
        // JSON documents and binary strings are not identities (MySQL compares a JSON column with text as JSON).
        if (typeCase.kind === 'json' || typeCase.kind === 'binary') return;
        const matched = await write(
          table,
          'update',
          typeCase.values.map((value, index) => ({ v: value.read, n: index + 10 })),
          ['v'],
        );
        assert.deepEqual([matched.updated, matched.rejected], [count, []]);
        assert.deepEqual(
          (await read()).map((row) => row.n),
          typeCase.values.map((_value, index) => index + 10),
        );
      });
    }
  });
}
