import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection, Row } from '../../../src/connectors/connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';
import { collect } from './bulk-source-cases.ts';
import { typeCases } from './type-cases.ts';

const byId = (left: Row, right: Row) => (left.id as number) - (right.id as number);

export function typeRoundTripCases(get: SessionGetter): void {
  describe('type round trip', () => {
    let connection: Connection;
    before(() => {
      connection = get().connector.open(get().configuration);
    });
    after(() => connection.close());

    for (const typeCase of typeCases) {
      test(`${typeCase.kind}: values and null survive source read and destination write`, async (t) => {
        const session = get();
        const source = connection.bulkSource;
        if (!source) return t.skip('connector has no bulk source');
        if (!session.nativeType(typeCase.kind)) return t.skip(`${session.connector.type} has no ${typeCase.kind} type`);
        const context = createMockRunContext();
        const table = `types_${typeCase.kind}`;
        const written = typeCase.values.map((value, index) => ({ id: index + 1, v: value.written }));
        await session.seed(
          table,
          [
            { name: 'id', kind: 'integer' },
            { name: 'v', kind: typeCase.kind },
          ],
          ['id'],
          [...written, { id: written.length + 1, v: null }],
        );
        const expected = [
          ...typeCase.values.map((value, index) => ({ id: index + 1, v: value.read })),
          { id: written.length + 1, v: null },
        ];

        const schema = await source.describeSchema(context, session.schemaId(table));
        const field = schema?.fields.find((candidate) => candidate.id === 'v');
        assert.equal(
          field?.type,
          session.expectedType?.[typeCase.kind] ?? typeCase.type,
          `type of ${field?.remote_type}`,
        );
        const read = (await collect(source.read(context, { schemaId: session.schemaId(table) }))).rows.sort(byId);
        assert.deepEqual(read, expected);

        const destination = connection.bulkDestination;
        if (!destination || !schema) return;
        const copyId = session.schemaId(`${table}_copy`);
        const fields = schema.fields.map((candidate) => ({
          id: candidate.id,
          type: candidate.type,
          remote_type: candidate.remote_type,
          remote_dialect: session.connector.type,
        }));
        await destination.apply(context, { kind: 'create_table', schemaId: copyId, fields, primaryKey: ['id'] });
        await destination.write(context, { schemaId: copyId, mode: 'insert', records: read });
        const copied = (await collect(destination.read(context, { schemaId: copyId }))).rows.sort(byId);
        assert.deepEqual(copied, expected);
      });
    }
  });
}
