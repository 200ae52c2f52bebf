// Streaming changes from a PostgreSQL replication slot: order, values, TOAST, truncate, new columns, big transactions.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresUnavailable } from '../../kit/services.ts';
import {
  applyChanges,
  type CaptureWorld,
  context,
  createCaptureWorld,
  drain,
  rowChanges,
} from './change-capture-fixture.ts';

const skip = await postgresUnavailable();

describe('PostgreSQL change stream', { skip }, () => {
  let world: CaptureWorld;
  before(async () => {
    world = await createCaptureWorld();
  });
  after(async () => {
    await world?.cleanup();
  });

  test('streams inserts, updates and deletes committed after start, in order, with positions at commits', async () => {
    await world.sql.query('create table basic (id int primary key, name text)');
    const streamId = world.streamId();
    const started = await world.capture.start(context(), { streamId, schemaIds: ['public.basic'] });
    await started.snapshot.release();
    await world.sql.query("insert into basic values (1, 'a'), (2, 'b')");
    await world.sql.query("update basic set name = 'B' where id = 2");
    await world.sql.query('delete from basic where id = 1');
    const stream = await world.capture.stream(context(), {
      streamId,
      schemaIds: ['public.basic'],
      from: started.position,
      stopAtCurrent: true,
      maxChanges: 100,
    });
    const batches = await drain(stream);
    const changes = rowChanges(batches);
    assert.deepEqual(changes, [
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 1, name: 'a' } },
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 2, name: 'b' } },
      { kind: 'upsert', schemaId: 'public.basic', row: { id: 2, name: 'B' } },
      { kind: 'delete', schemaId: 'public.basic', key: { id: 1 } },
    ]);
    assert.ok(batches.at(-1)?.position, 'the last batch ends at a commit');
    const table = new Map();
    applyChanges(table, changes, (row) => String(row.id));
    assert.deepEqual([...table.values()], [{ id: 2, name: 'B' }]);
    await world.capture.drop(context(), streamId);
  });
});
