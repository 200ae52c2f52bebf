// Batching decoded binlog events: positions only where no transaction is open, at most maxChanges per batch,
// merging while the consumer is busy, and position-only batches at most once a second of source time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChangeBatch } from '../../../src/connectors/change-capture.ts';
import type { DecodedEvent } from '../../../src/connectors/mysql/mysql-binlog-changes.ts';
import { batchChanges } from '../../../src/connectors/mysql/mysql-change-batches.ts';

const row = (id: number): DecodedEvent => ({ changes: [{ kind: 'upsert', schemaId: 'db.t', row: { id } }] });
const commit = (offset: number, second = offset): DecodedEvent => ({
  changes: [],
  place: { position: { file: 'bin.000001', offset }, committedAt: new Date(second * 1000) },
});

async function collect(
  events: DecodedEvent[],
  options: { maxChanges: number; waiting?: (index: number) => number; end?: number },
): Promise<ChangeBatch[]> {
  let index = 0;
  async function* source() {
    for (const event of events) {
      index += 1;
      yield event;
    }
  }
  const batches: ChangeBatch[] = [];
  for await (const batch of batchChanges(source(), {
    maxChanges: options.maxChanges,
    waiting: () => options.waiting?.(index) ?? 0,
    end: options.end === undefined ? undefined : { file: 'bin.000001', offset: options.end },
  }))
    batches.push(batch);
  return batches;
}

const summary = (batches: ChangeBatch[]) =>
  batches.map((batch) => `${batch.changes.length}${batch.position ? `@${JSON.parse(batch.position).offset}` : ''}`);

test('a transaction larger than maxChanges is split; only its last batch has a position', async () => {
  const events = [...Array.from({ length: 7 }, (_, id) => row(id)), commit(100)];
  assert.deepEqual(summary(await collect(events, { maxChanges: 3 })), ['3', '3', '1@100']);
});

test('while more events wait, transactions merge up to maxChanges, cut at the last commit', async () => {
  const events = [
    row(1),
    row(2),
    commit(10),
    row(3),
    row(4),
    commit(20),
    row(5),
    row(6),
    commit(30),
    row(7),
    commit(40),
  ];
  // Events keep waiting until the last one.
  const batches = await collect(events, { maxChanges: 5, waiting: (index) => (index < events.length ? 1 : 0) });
  assert.deepEqual(summary(batches), ['4@20', '3@40']);
  assert.deepEqual(
    batches.flatMap((batch) => batch.changes.map((change) => change.kind === 'upsert' && change.row.id)),
    [1, 2, 3, 4, 5, 6, 7],
  );
});

test('commits of other tables move the position at most once a second of commit time', async () => {
  const events = [commit(10, 100), commit(20, 100), commit(30, 100), commit(40, 101), commit(50, 101)];
  assert.deepEqual(summary(await collect(events, { maxChanges: 10 })), ['0@10', '0@40']);
});

test('with an end, the batches stop at it with the position reached, even without changes', async () => {
  const events = [row(1), commit(10), commit(20), row(2), commit(30)];
  assert.deepEqual(summary(await collect(events, { maxChanges: 10, end: 20, waiting: () => 1 })), ['1@20']);
});
