// The change-capture run of the bulk engine against the contract, with an in-memory source log
// (test/kit/in-memory-change-capture.ts): snapshot then stream, ordering, barriers, checkpoint before confirm, and
// the crashes a kill -9 can cause (between a destination commit and its checkpoint; during the snapshot copy).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Change } from '../../../src/connectors/change-capture.ts';
import type { Connection } from '../../../src/connectors/connector.ts';
import type { FieldDescription, Row } from '../../../src/connectors/records.ts';
import { runBulkSync } from '../../../src/engine/bulk/bulk-sync-runner.ts';
import type { BulkSyncPlan } from '../../../src/engine/bulk/bulk-sync-plan.ts';
import type { CheckpointStore } from '../../../src/engine/bulk/checkpoint-store.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog } from '../../../src/engine/memory-console-log.ts';
import { createInMemoryChangeLog, type InMemoryChangeLog } from '../../kit/in-memory-change-capture.ts';
import { createInMemoryConnector, createInMemoryStore, type InMemoryStore } from '../../kit/in-memory-connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';

const field = (id: string, key = false): FieldDescription => ({
  id,
  name: id,
  type: key ? 'number' : 'string',
  remote_type: key ? 'integer' : 'text',
  is_primary_key: key,
  nullable: !key,
});
const itemFields = [field('id', true), field('name'), field('doc')];

interface World {
  store: InMemoryStore;
  log: InMemoryChangeLog;
  destination: Connection;
  checkpoints: CheckpointStore;
  consoleLog: ReturnType<typeof createMemoryConsoleLog>;
  run(
    overrides?: Partial<BulkSyncPlan>,
    context?: ReturnType<typeof createMockRunContext>,
  ): ReturnType<typeof runBulkSync>;
  destinationRows(table?: string): Row[];
  sourceRows(table?: string): Row[];
}

let executions = 0;

function world(rows: Row[] = [], tables: Record<string, FieldDescription[]> = { 'public.items': itemFields }): World {
  const store = createInMemoryStore(['source', 'destination']);
  for (const [id, fields] of Object.entries(tables))
    store
      .get('source')!
      .set(id, { fields: structuredClone(fields), rows: id === 'public.items' ? structuredClone(rows) : [] });
  const connector = createInMemoryConnector(store);
  const log = createInMemoryChangeLog(store, 'source', connector.open({ database: 'source' }));
  const destination = connector.open({ database: 'destination' });
  const checkpoints = createMemoryCheckpointStore();
  const consoleLog = createMemoryConsoleLog();
  const sorted = (database: string, table: string) =>
    [...(store.get(database)!.get(table)?.rows ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
  return {
    store,
    log,
    destination,
    checkpoints,
    consoleLog,
    run(overrides = {}, context = createMockRunContext()) {
      executions += 1;
      return runBulkSync(
        context,
        {
          syncId: '0b5e1c2a-7d3f-4c55-9e61-2f7a8b9c0d1e',
          executionId: `e-${executions}`,
          executionTimestamp: new Date().toISOString(),
          source: log.connection,
          destination,
          mode: 'replicate',
          schemas: Object.keys(tables).map((schemaId) => ({ schemaId })),
          sourceConnectionId: 'source-connection',
          ...overrides,
        },
        { checkpoints, consoleLog, statusIntervalMs: 0 },
      );
    },
    destinationRows: (table = 'items') => sorted('destination', table),
    sourceRows: (table = 'public.items') => sorted('source', table),
  };
}

const up = (row: Row, unchanged?: string[]): Change => ({
  kind: 'upsert',
  schemaId: 'public.items',
  row,
  ...(unchanged ? { unchanged } : {}),
});
const del = (id: number): Change => ({ kind: 'delete', schemaId: 'public.items', key: { id } });

test('change capture: the first run copies the snapshot, later runs stream inserts, updates and deletes', async () => {
  const w = world([
    { id: 1, name: 'a', doc: 'x' },
    { id: 2, name: 'b', doc: 'y' },
  ]);
  const first = await w.run();
  assert.equal(first.status, 'completed', first.error?.message);
  assert.deepEqual(w.destinationRows(), w.sourceRows());
  assert.deepEqual([...w.log.streams], ['ferry_0b5e1c2a7d3f4c559e612f7a8b9c0d1e']);
  assert.deepEqual(
    await w.checkpoints.loadStream('0b5e1c2a-7d3f-4c55-9e61-2f7a8b9c0d1e').then((s) => s?.phase),
    'streaming',
  );

  w.log.commit([up({ id: 3, name: 'c', doc: 'z' }), up({ id: 1, name: 'a2', doc: 'x' })]);
  w.log.commit([del(2)]);
  const second = await w.run();
  assert.equal(second.status, 'completed', second.error?.message);
  assert.deepEqual(w.destinationRows(), w.sourceRows());
  assert.deepEqual(
    w.destinationRows().map((row) => row.id),
    [1, 3],
  );
  assert.equal(second.recordCount, 3, 'the three changes this execution applied');
  assert.equal(first.recordCount, 2, 'the snapshot rows');
  assert.deepEqual(w.log.events, ['start', 'confirm:1', 'confirm:2']);
  const messages = w.consoleLog.entries.map((entry) => entry.message);
  assert.ok(messages.includes('Streaming changes from 0'), messages.join('\n'));
  assert.ok(
    messages.some((message) =>
      /^Applied 1 changes \(0 upserts, 1 deletes\) up to 2, lag [\d.]+ s, 0 bytes behind$/.test(message),
    ),
    messages.join('\n'),
  );
});

test('change capture: a field the log did not carry keeps the destination value', async () => {
  const w = world([{ id: 1, name: 'a', doc: 'large value' }]);
  await w.run();
  w.log.commit([up({ id: 1, name: 'renamed', doc: null }, ['doc'])]);
  // The destination must not get doc = null: the write carries only id and name.
  const writes: Row[][] = [];
  const write = w.destination.bulkDestination!.write;
  (w.destination.bulkDestination as { write: typeof write }).write = async (context, request) => {
    writes.push(request.records);
    return write(context, request);
  };
  await w.run();
  assert.deepEqual(writes, [[{ id: 1, name: 'renamed' }]]);
  assert.deepEqual(w.destinationRows(), [{ id: 1, name: 'renamed', doc: 'large value' }]);
});

test('change capture: truncate and a new source column keep their place among the changes', async () => {
  const w = world([{ id: 1, name: 'a', doc: 'x' }]);
  await w.run();
  w.log.commit([up({ id: 2, name: 'b', doc: 'y' })]);
  w.log.commit([{ kind: 'truncate', schemaId: 'public.items' }]);
  w.log.commit([up({ id: 3, name: 'c', doc: 'z' })]);
  const withColour = [...itemFields, field('colour')];
  w.log.commit([{ kind: 'schema', schemaId: 'public.items', fields: withColour }]);
  w.log.commit([up({ id: 4, name: 'd', doc: 'w', colour: 'red' }), up({ id: 3, name: 'c', doc: 'z', colour: 'blue' })]);
  const result = await w.run({ batchSize: 100 });
  assert.equal(result.status, 'completed', result.error?.message);
  assert.deepEqual(w.destinationRows(), [
    { id: 3, name: 'c', doc: 'z', colour: 'blue' },
    { id: 4, name: 'd', doc: 'w', colour: 'red' },
  ]);
  const messages = w.consoleLog.entries.map((entry) => entry.message);
  assert.ok(messages.includes('Destination: add fields items (colour)'), messages.join('\n'));
});

test('change capture: each position is saved in Ferry before it is confirmed to the source, after the write', async () => {
  const w = world([]);
  await w.run();
  const saveStream = w.checkpoints.saveStream;
  w.checkpoints.saveStream = async (state) => {
    w.log.events.push(`save:${state.phase}:${state.position}`);
    return saveStream(state);
  };
  const write = w.destination.bulkDestination!.write;
  (w.destination.bulkDestination as { write: typeof write }).write = async (context, request) => {
    w.log.events.push(`write:${request.records.map((record) => record.id).join(',')}`);
    return write(context, request);
  };
  w.log.events.length = 0;
  for (let id = 1; id <= 3; id += 1) w.log.commit([up({ id, name: `n${id}`, doc: null })]);
  await w.run();
  assert.deepEqual(w.log.events, [
    'write:1',
    'save:streaming:1',
    'confirm:1',
    'write:2',
    'save:streaming:2',
    'confirm:2',
    'write:3',
    'save:streaming:3',
    'confirm:3',
  ]);
});

test('change capture: a large source transaction is applied in bounded batches and checkpointed at its end', async () => {
  const w = world([]);
  await w.run();
  w.log.commit(Array.from({ length: 25 }, (_, index) => up({ id: index + 1, name: 'bulk', doc: null })));
  const writes: number[] = [];
  const write = w.destination.bulkDestination!.write;
  (w.destination.bulkDestination as { write: typeof write }).write = async (context, request) => {
    writes.push(request.records.length);
    return write(context, request);
  };
  await w.run({ batchSize: 10 });
  assert.deepEqual(writes, [10, 10, 5]);
  assert.deepEqual(w.log.confirmed, ['1'], 'only the transaction boundary is a position');
  assert.equal(w.destinationRows().length, 25);
});

test('change capture: a crash between the destination commit and the checkpoint replays and converges', async () => {
  const w = world([{ id: 1, name: 'a', doc: 'x' }]);
  await w.run();
  w.log.commit([up({ id: 2, name: 'b', doc: null })]);
  w.log.commit([up({ id: 2, name: 'b2', doc: null }), del(1)]);
  w.log.commit([up({ id: 3, name: 'c', doc: null })]);
  const saveStream = w.checkpoints.saveStream;
  let saves = 0;
  w.checkpoints.saveStream = async (state) => {
    saves += 1;
    // The second transaction is committed in the destination, then the process dies before its checkpoint.
    if (saves === 2) throw new Error('killed');
    return saveStream(state);
  };
  const crashed = await w.run();
  assert.equal(crashed.status, 'failed');
  assert.equal(crashed.error?.retryable, true);
  assert.deepEqual(w.log.confirmed, ['1'], 'nothing past the saved position is confirmed');
  w.checkpoints.saveStream = saveStream;
  const replayed = await w.run();
  assert.equal(replayed.status, 'completed', replayed.error?.message);
  assert.deepEqual(w.destinationRows(), w.sourceRows());
  assert.deepEqual(w.destinationRows(), [
    { id: 2, name: 'b2', doc: null },
    { id: 3, name: 'c', doc: null },
  ]);
});

test('change capture: a snapshot copy that died is never streamed on: the stream is dropped and started over', async () => {
  const w = world([
    { id: 1, name: 'a', doc: 'x' },
    { id: 2, name: 'b', doc: 'y' },
  ]);
  const write = w.destination.bulkDestination!.write;
  (w.destination.bulkDestination as { write: typeof write }).write = async () => {
    throw new Error('destination went away');
  };
  const failed = await w.run();
  assert.equal(failed.status, 'failed');
  assert.equal((await w.checkpoints.loadStream('0b5e1c2a-7d3f-4c55-9e61-2f7a8b9c0d1e'))?.phase, 'snapshotting');
  (w.destination.bulkDestination as { write: typeof write }).write = write;
  w.log.commit([del(1), up({ id: 5, name: 'e', doc: null })]);
  const again = await w.run();
  assert.equal(again.status, 'completed', again.error?.message);
  assert.deepEqual(w.log.dropped, ['ferry_0b5e1c2a7d3f4c559e612f7a8b9c0d1e']);
  assert.deepEqual(w.log.events, ['start', 'start']);
  assert.deepEqual(w.destinationRows(), w.sourceRows());
});

test('change capture: a table without key or REPLICA IDENTITY FULL fails in plain words; the others stream', async () => {
  const w = world([{ id: 1, name: 'a', doc: 'x' }], {
    'public.items': itemFields,
    'public.logs': [field('line')],
  });
  w.log.withoutIdentity.add('public.logs');
  const result = await w.run();
  assert.equal(result.status, 'failed');
  const logs = result.schemas.find((schema) => schema.schemaId === 'public.logs')!;
  assert.equal(logs.status, 'failed');
  assert.match(logs.statusMessage ?? '', /public\.logs has no primary key and no REPLICA IDENTITY FULL/);
  assert.equal(result.schemas.find((schema) => schema.schemaId === 'public.items')?.status, 'completed');
  assert.deepEqual(w.destinationRows(), w.sourceRows());
});

test('change capture: a table without a key (REPLICA IDENTITY FULL) applies deletes by the whole row', async () => {
  const w = world([], { 'public.items': itemFields, 'public.tags': [field('tag'), field('owner')] });
  await w.run();
  const tag = (row: Row): Change => ({ kind: 'upsert', schemaId: 'public.tags', row });
  w.log.commit([tag({ tag: 'a', owner: 'x' }), tag({ tag: 'b', owner: 'x' })]);
  w.log.commit([{ kind: 'delete', schemaId: 'public.tags', key: { tag: 'a', owner: 'x' } }]);
  await w.run();
  assert.deepEqual(w.store.get('destination')!.get('tags')!.rows, [{ tag: 'b', owner: 'x' }]);
});

test('change capture: continuous runs keep streaming until canceled, at a confirmed position', async () => {
  const w = world([]);
  await w.run();
  const context = createMockRunContext();
  const running = w.run({ continuous: true }, context);
  for (let id = 1; id <= 3; id += 1) {
    w.log.commit([up({ id, name: 'live', doc: null })]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  while (w.log.confirmed.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
  context.abort(new Error('stop'));
  const result = await running;
  assert.equal(result.status, 'canceled');
  assert.equal(w.destinationRows().length, 3);
  assert.equal((await w.checkpoints.loadStream('0b5e1c2a-7d3f-4c55-9e61-2f7a8b9c0d1e'))?.position, '3');
});

test('change capture: bytes behind above the threshold is a WARN line', async () => {
  const w = world([]);
  await w.run();
  w.log.bytesBehind = 5_000;
  w.log.commit([up({ id: 1, name: 'a', doc: null })]);
  const statuses: unknown[] = [];
  executions += 1;
  await runBulkSync(
    createMockRunContext(),
    {
      syncId: '0b5e1c2a-7d3f-4c55-9e61-2f7a8b9c0d1e',
      executionId: `e-${executions}`,
      executionTimestamp: new Date().toISOString(),
      source: w.log.connection,
      destination: w.destination,
      mode: 'replicate',
      schemas: [{ schemaId: 'public.items' }],
      sourceConnectionId: 'source-connection',
    },
    {
      checkpoints: w.checkpoints,
      consoleLog: w.consoleLog,
      statusIntervalMs: 0,
      lagWarnBytes: 1_000,
      onStreamStatus: (status) => statuses.push(status.bytesBehind),
    },
  );
  const warning = w.consoleLog.entries.find((entry) => entry.level === 'WARN');
  assert.match(warning?.message ?? '', /5,000 bytes behind the source \(threshold 1,000\)/);
  assert.deepEqual(statuses, [5_000]);
});

test('change capture: a resync requested drops the stream and copies a new snapshot', async () => {
  const w = world([{ id: 1, name: 'a', doc: 'x' }]);
  await w.run();
  w.store.get('destination')!.get('items')!.rows.push({ id: 99, name: 'stray', doc: null });
  const result = await w.run({ resyncMode: 'resync' });
  assert.equal(result.status, 'completed', result.error?.message);
  assert.equal(w.log.dropped.length, 1);
  assert.deepEqual(w.destinationRows(), w.sourceRows());
});
