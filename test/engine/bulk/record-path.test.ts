// The record-batch path with the in-memory connector (no services needed): backpressure, renaming,
// snapshot rows, and the per-schema failure rules.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BulkSource, Connection, RecordBatch } from '../../../src/connectors/connector.ts';
import type { SchemaDescription } from '../../../src/connectors/records.ts';
import { runBulkSync } from '../../../src/engine/bulk/bulk-sync-runner.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog } from '../../../src/engine/memory-console-log.ts';
import { SyncError } from '../../../src/engine/sync-error.ts';
import { createInMemoryConnector, createInMemoryStore } from '../../kit/in-memory-connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { assertCompleted, createHarness, planOf } from './bulk-test-kit.ts';

const schema: SchemaDescription = {
  id: 'generated',
  name: 'generated',
  fields: [
    { id: 'ID', name: 'ID', type: 'number', remote_type: 'integer', is_primary_key: true, nullable: false },
    { id: 'Full Name', name: 'Full Name', type: 'string', remote_type: 'text', is_primary_key: false, nullable: true },
  ],
};

/** A source of `batches` batches of `size` rows that records how far it ran ahead of the writer. */
function countingSource(batches: number, size: number, progress: { produced: number }): Connection {
  const bulkSource: BulkSource = {
    listSchemas: async () => [schema],
    describeSchema: async (_context, id) => (id === schema.id ? schema : undefined),
    async *read(context, request): AsyncIterable<RecordBatch> {
      const start = typeof request.cursor?.after === 'number' ? request.cursor.after : 0;
      for (let batch = Math.floor(start / size); batch < batches; batch += 1) {
        if (context.signal.aborted) return;
        progress.produced += 1;
        yield Array.from({ length: size }, (_, index) => ({
          ID: batch * size + index + 1,
          'Full Name': `name ${batch * size + index + 1}`,
        }));
      }
    },
  };
  return { type: 'counting', test: async () => ({ ok: true }), close: async () => {}, bulkSource };
}

test('the source never runs more than one batch ahead of the destination (bounded memory)', async () => {
  const progress = { produced: 0 };
  const store = createInMemoryStore();
  const destination = createInMemoryConnector(store).open({ database: 'test' });
  const inner = destination.bulkDestination!;
  let written = 0;
  let aheadMax = 0;
  const slowDestination: Connection = {
    ...destination,
    bulkDestination: {
      ...inner,
      async write(context, request) {
        aheadMax = Math.max(aheadMax, progress.produced - written);
        await new Promise((resolve) => setTimeout(resolve, 2));
        written += 1;
        return inner.write(context, request);
      },
    },
  };
  const result = await createHarness().run(
    planOf(countingSource(40, 50, progress), slowDestination, {
      syncId: 'bounded',
      schemas: [{ schemaId: 'generated' }],
      batchSize: 50,
    }),
  );
  assertCompleted(result);
  assert.equal(result.recordCount, 2000);
  assert.ok(aheadMax <= 2, `the source ran ${aheadMax} batches ahead`);
  const table = store.get('test')!.get('generated')!;
  assert.deepEqual(
    table.fields.map((field) => field.id),
    ['id', 'full_name'],
  );
  assert.deepEqual(table.rows[1999], { id: 2000, full_name: 'name 2000' });
});

test('snapshot mode on the record path adds the execution timestamp to every row', async () => {
  const store = createInMemoryStore();
  const destination = createInMemoryConnector(store).open({ database: 'test' });
  const plan = planOf(countingSource(3, 10, { produced: 0 }), destination, {
    syncId: 'snap',
    mode: 'snapshot',
    normalizeNames: 'disabled',
    schemas: [{ schemaId: 'generated' }],
  });
  assertCompleted(await createHarness().run(plan));
  const table = store.get('test')!.get('generated')!;
  assert.equal(table.rows.length, 30);
  assert.ok(table.rows.every((row) => row._ferry_execution_timestamp === plan.executionTimestamp));
  assert.deepEqual(
    table.fields.filter((field) => field.is_primary_key).map((field) => field.id),
    ['ID', '_ferry_execution_timestamp'],
  );
});

test('a missing schema fails alone, not retryable; the other schemas complete; a bad plan throws', async () => {
  const store = createInMemoryStore();
  const destination = createInMemoryConnector(store).open({ database: 'test' });
  const source = countingSource(2, 5, { produced: 0 });
  const harness = createHarness();
  const result = await harness.run(
    planOf(source, destination, { syncId: 'mixed', schemas: [{ schemaId: 'missing' }, { schemaId: 'generated' }] }),
  );
  assert.equal(result.status, 'failed');
  assert.deepEqual(
    result.schemas.map((each) => each.status),
    ['failed', 'completed'],
  );
  assert.equal(result.error?.code, 'schema_missing');
  assert.equal(result.error?.retryable, false);
  assert.ok(harness.consoleLog.entries.some((entry) => entry.level === 'ERROR' && entry.schemaId === 'missing'));
  await assert.rejects(
    harness.run(
      planOf(source, destination, { syncId: 'dup', schemas: [{ schemaId: 'a.users' }, { schemaId: 'b.users' }] }),
    ),
    (error: unknown) => error instanceof SyncError && error.code === 'invalid_plan',
  );
  await assert.rejects(
    runBulkSync(createMockRunContext(), planOf(destination, source, { schemas: [{ schemaId: 'generated' }] }), {
      checkpoints: createMemoryCheckpointStore(),
      consoleLog: createMemoryConsoleLog(),
    }),
    (error: unknown) => error instanceof SyncError && error.code === 'unsupported_connection',
  );
});
