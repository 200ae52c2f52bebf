// The shared suite every CheckpointStore and ConsoleLog implementation runs (one shared suite per port:
// CONTRIBUTING.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConsoleLog } from '../../../src/engine/console-log.ts';
import type { CheckpointStore } from '../../../src/engine/bulk/checkpoint-store.ts';

export function checkpointStoreCases(open: () => Promise<CheckpointStore>): void {
  test('checkpoint: load of an unknown schema is undefined', async () => {
    const store = await open();
    assert.equal(await store.load('sync-a', 'public.none'), undefined);
  });

  test('checkpoint: save replaces the row of its (sync, schema) and keeps values exact', async () => {
    const store = await open();
    const base = { syncId: 'sync-a', schemaId: 'public.users', executionId: 'e1', cursorField: 'updated_at' } as const;
    await store.save({ ...base, phase: 'loading', cursor: null, rows: 0 });
    await store.save({ ...base, phase: 'loading', cursor: '2024-01-01T00:00:00.123456Z', rows: 5000 });
    await store.save({
      ...base,
      schemaId: 'public.other',
      phase: 'completed',
      cursor: '12345678901234567890',
      rows: 3_000_000_000,
    });
    const loaded = await store.load('sync-a', 'public.users');
    assert.ok(loaded);
    const { updatedAt, ...rest } = loaded;
    assert.deepEqual(rest, { ...base, phase: 'loading', cursor: '2024-01-01T00:00:00.123456Z', rows: 5000 });
    assert.match(updatedAt, /^\d{4}-\d\d-\d\dT/);
    const other = await store.load('sync-a', 'public.other');
    assert.equal(other?.rows, 3_000_000_000);
    assert.equal(other?.cursor, '12345678901234567890');
    assert.equal(await store.load('sync-b', 'public.users'), undefined);
  });

  test('checkpoint: numbers and objects round-trip; clear forgets one schema', async () => {
    const store = await open();
    await store.save({
      syncId: 'sync-c',
      schemaId: 'a',
      executionId: 'e',
      phase: 'completed',
      cursorField: 'id',
      cursor: 42,
      rows: 1,
    });
    await store.save({
      syncId: 'sync-c',
      schemaId: 'b',
      executionId: 'e',
      phase: 'completed',
      cursorField: null,
      cursor: null,
      rows: 0,
    });
    assert.equal((await store.load('sync-c', 'a'))?.cursor, 42);
    assert.equal((await store.load('sync-c', 'b'))?.cursor, null);
    await store.clear('sync-c', 'a');
    assert.equal(await store.load('sync-c', 'a'), undefined);
    assert.ok(await store.load('sync-c', 'b'));
  });

  test('stream state: saved, replaced with created_at kept, listed, cleared', async () => {
    const store = await open();
    const syncId = `sync-stream-${Math.random().toString(36).slice(2)}`;
    assert.equal(await store.loadStream(syncId), undefined);
    const base = { syncId, streamId: 'ferry_abc', sourceConnectionId: 'conn-1' } as const;
    await store.saveStream({ ...base, phase: 'snapshotting', position: null });
    const first = await store.loadStream(syncId);
    assert.deepEqual(first && { ...first, createdAt: undefined, updatedAt: undefined }, {
      ...base,
      phase: 'snapshotting',
      position: null,
      createdAt: undefined,
      updatedAt: undefined,
    });
    assert.match(first!.createdAt, /^\d{4}-\d\d-\d\dT/);
    await store.saveStream({ ...base, phase: 'streaming', position: '16/B374D848' });
    const second = await store.loadStream(syncId);
    assert.equal(second?.phase, 'streaming');
    assert.equal(second?.position, '16/B374D848');
    assert.equal(second?.createdAt, first!.createdAt);
    assert.ok((await store.listStreams()).some((state) => state.syncId === syncId && state.streamId === 'ferry_abc'));
    await store.clearStream(syncId);
    assert.equal(await store.loadStream(syncId), undefined);
    assert.ok(!(await store.listStreams()).some((state) => state.syncId === syncId));
  });
}

export function consoleLogCases(open: () => Promise<ConsoleLog>): void {
  test('console log: entries page in order with `after`, per execution and per schema', async () => {
    const log = await open();
    for (let index = 1; index <= 7; index += 1) {
      await log.append({
        executionId: 'x1',
        schemaId: index % 2 ? 'public.a' : undefined,
        level: index === 7 ? 'ERROR' : 'INFO',
        message: `line ${index}`,
        payload: index === 1 ? { rows: 10 } : undefined,
      });
      await log.append({ executionId: 'x2', level: 'WARN', message: `other ${index}` });
    }
    const first = await log.list({ executionId: 'x1', limit: 3 });
    assert.deepEqual(
      first.entries.map((entry) => entry.message),
      ['line 1', 'line 2', 'line 3'],
    );
    assert.deepEqual(first.entries[0]!.payload, { rows: 10 });
    assert.equal(first.entries[1]!.schemaId, null);
    assert.equal(first.nextCursor, first.entries[2]!.id);
    const second = await log.list({ executionId: 'x1', after: first.nextCursor, limit: 3 });
    assert.deepEqual(
      second.entries.map((entry) => entry.message),
      ['line 4', 'line 5', 'line 6'],
    );
    const third = await log.list({ executionId: 'x1', after: second.nextCursor });
    assert.deepEqual(
      third.entries.map((entry) => [entry.level, entry.message]),
      [['ERROR', 'line 7']],
    );
    const empty = await log.list({ executionId: 'x1', after: third.nextCursor });
    assert.deepEqual(empty, { entries: [], nextCursor: undefined });
    const schema = await log.list({ executionId: 'x1', schemaId: 'public.a' });
    assert.deepEqual(
      schema.entries.map((entry) => entry.message),
      ['line 1', 'line 3', 'line 5', 'line 7'],
    );
    assert.ok(Number(first.entries[1]!.id) > Number(first.entries[0]!.id));
    assert.match(first.entries[0]!.createdAt, /Z$/);
  });
}
