// The engine's fast path is whatever the source connection's directCopy facet offers for the destination, not a
// PostgreSQL special case: a connector of its own kind gets the copy, its chunks are checkpointed like record batches,
// and the engine falls back to records when the facet declines the destination or the run is a test (row limit).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection, DirectCopyRequest, Row } from '../../../src/connectors/connector.ts';
import { createInMemoryConnector, createInMemoryStore, type InMemoryStore } from '../../kit/in-memory-connector.ts';
import { assertCompleted, createHarness, planOf, readTable } from './bulk-test-kit.ts';

const fields = [
  { id: 'id', name: 'id', type: 'number', remote_type: 'integer', is_primary_key: true, nullable: false },
  { id: 'name', name: 'name', type: 'string', remote_type: 'text', is_primary_key: false, nullable: true },
] as const;

function seededStore(count: number): InMemoryStore {
  const store = createInMemoryStore();
  const rows: Row[] = Array.from({ length: count }, (_, index) => ({ id: index + 1, name: `person ${index + 1}` }));
  store.get('test')!.set('people', { fields: fields.map((field) => ({ ...field })), rows });
  return store;
}

interface CopyLog {
  requests: DirectCopyRequest[];
}

/**
 * An in-memory connection whose directCopy writes straight into another in-memory store's table, chunk by chunk in
 * the cursor's order, as a connector with its own fast path would; it declines every other kind of destination.
 */
function withDirectCopy(store: InMemoryStore, destinations: Map<Connection, InMemoryStore>, log: CopyLog): Connection {
  const connection = createInMemoryConnector(store).open({ database: 'test' });
  return {
    ...connection,
    directCopy: {
      to(destination) {
        const target = destinations.get(destination);
        if (!target) return undefined;
        return {
          async copy(_context, request, onCommitted) {
            log.requests.push(request);
            const order = request.cursor?.field;
            const rows = [...store.get('test')!.get(request.sourceSchemaId)!.rows]
              .filter(
                (row) =>
                  order === undefined ||
                  request.cursor?.after == null ||
                  (row[order] as number) > (request.cursor.after as number),
              )
              .sort((left, right) => (order === undefined ? 0 : (left[order] as number) - (right[order] as number)));
            const table = target.get('test')!.get(request.destinationSchemaId)!;
            for (let start = 0; start < rows.length; start += request.chunkSize) {
              const chunk = rows.slice(start, start + request.chunkSize);
              for (const row of chunk)
                table.rows.push(
                  Object.fromEntries(request.fields.map((pair) => [pair.destinationId, row[pair.sourceId]])),
                );
              await onCommitted({ rows: chunk.length, cursor: order === undefined ? undefined : chunk.at(-1)![order] });
            }
            return { format: 'text' };
          },
        };
      },
    },
  };
}

test('a connection offering directCopy for the destination gets the copy, checkpointed per chunk', async () => {
  const log: CopyLog = { requests: [] };
  const destinationStore = createInMemoryStore();
  const destination = createInMemoryConnector(destinationStore).open({ database: 'test' });
  const source = withDirectCopy(seededStore(25), new Map([[destination, destinationStore]]), log);
  const harness = createHarness();
  const saved: unknown[] = [];
  const save = harness.checkpoints.save.bind(harness.checkpoints);
  harness.checkpoints.save = async (checkpoint) => {
    saved.push(checkpoint.cursor);
    await save(checkpoint);
  };

  const result = await harness.run(
    planOf(source, destination, { schemas: [{ schemaId: 'people' }], copyChunkSize: 10 }),
  );

  assertCompleted(result);
  assert.equal(result.schemas[0]!.path, 'copy_text');
  assert.equal(result.recordCount, 25);
  assert.equal(log.requests.length, 1);
  const request = log.requests[0]!;
  assert.deepEqual(request.fields, [
    { sourceId: 'id', destinationId: 'id' },
    { sourceId: 'name', destinationId: 'name' },
  ]);
  assert.equal(request.writeMode, 'upsert');
  assert.deepEqual(request.destinationPrimaryKey, ['id']);
  assert.equal(request.chunkSize, 10);
  assert.equal(request.cursor?.field, 'id');
  // loading (start), one per chunk of 10, 10, 5, then completed.
  assert.deepEqual(saved, [null, 10, 20, 25, 25]);
  assert.equal((await readTable(destination.bulkDestination, 'people', 'id')).length, 25);
});

test('the record path is taken when the facet declines the destination, or for a test run', async () => {
  const log: CopyLog = { requests: [] };
  const offered = createInMemoryStore();
  const offeredDestination = createInMemoryConnector(offered).open({ database: 'test' });
  const source = withDirectCopy(seededStore(12), new Map([[offeredDestination, offered]]), log);

  const declined = createInMemoryConnector(createInMemoryStore()).open({ database: 'test' });
  const declinedResult = await createHarness().run(planOf(source, declined, { schemas: [{ schemaId: 'people' }] }));
  assertCompleted(declinedResult);
  assert.equal(declinedResult.schemas[0]!.path, 'records');
  assert.equal((await readTable(declined.bulkDestination, 'people', 'id')).length, 12);

  const testRun = await createHarness().run(
    planOf(source, offeredDestination, { schemas: [{ schemaId: 'people' }], rowLimit: 5 }),
  );
  assertCompleted(testRun);
  assert.equal(testRun.schemas[0]!.path, 'records');
  assert.equal(testRun.recordCount, 5);
  assert.equal(log.requests.length, 0);
});
