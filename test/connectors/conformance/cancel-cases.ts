import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Connection } from '../../../src/connectors/connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { SessionGetter } from './conformance-suite.ts';
import { peopleColumns, person } from './bulk-source-cases.ts';

export function cancelCases(get: SessionGetter): void {
  describe('cancel', () => {
    const count = 20_000;
    let connection: Connection;
    before(async () => {
      connection = get().connector.open(get().configuration);
      await get().seed(
        'big',
        peopleColumns,
        ['id'],
        Array.from({ length: count }, (_, index) => person(index + 1)),
      );
    });
    after(() => connection.close());

    test('aborting mid-read ends the iteration promptly and releases the connection', async (t) => {
      const source = connection.bulkSource;
      if (!source) return t.skip('connector has no bulk source');
      // More rounds than any pool's size: a leaked connection would make a later round hang.
      for (let round = 0; round < 12; round += 1) {
        const context = createMockRunContext();
        let seen = 0;
        const started = performance.now();
        await assert.rejects(
          (async () => {
            for await (const batch of source.read(context, { schemaId: get().schemaId('big'), batchSize: 100 })) {
              seen += batch.length;
              if (seen >= 200) context.abort();
            }
          })(),
          { code: 'canceled' },
        );
        assert.ok(seen < count, `stopped after ${seen} rows`);
        assert.ok(performance.now() - started < 5000, 'stopped promptly');
      }
      assert.deepEqual(await connection.test(createMockRunContext()), { ok: true });
    });

    test('an already aborted signal reads nothing', async (t) => {
      const source = connection.bulkSource;
      if (!source) return t.skip('connector has no bulk source');
      const context = createMockRunContext();
      context.abort();
      await assert.rejects(
        async () => {
          for await (const _batch of source.read(context, { schemaId: get().schemaId('big') }))
            assert.fail('read a batch');
        },
        { code: 'canceled' },
      );
    });
  });
}
