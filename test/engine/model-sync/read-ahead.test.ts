// readAhead: the next batch is asked for while the current one is worked; stopping early closes the source after
// the read in flight; a failed read surfaces at the consumer's next step, never as an unhandled rejection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { readAhead } from '../../../src/engine/model-sync/read-ahead.ts';

function recordingSource(batches: number, failAt?: number) {
  const events: string[] = [];
  async function* source() {
    try {
      for (let index = 0; index < batches; index += 1) {
        events.push(`read ${index}`);
        await delay(5);
        if (index === failAt) throw new Error(`read ${index} failed`);
        events.push(`got ${index}`);
        yield index;
      }
    } finally {
      events.push('closed');
    }
  }
  return { events, source: source() };
}

test('reads one batch ahead and yields every batch in order', async () => {
  const { events, source } = recordingSource(3);
  const seen: number[] = [];
  for await (const batch of readAhead(source)) {
    events.push(`work ${batch}`);
    await delay(20);
    events.push(`done ${batch}`);
    seen.push(batch);
  }
  assert.deepEqual(seen, [0, 1, 2]);
  // Batch 1 is read while batch 0 is worked.
  assert.ok(events.indexOf('got 1') < events.indexOf('done 0'), events.join(', '));
  assert.equal(events.at(-1), 'done 2');
  assert.ok(events.includes('closed'));
});

test('a depth of three reads three batches while one is worked, asking the source one read at a time', async () => {
  const { events, source } = recordingSource(6);
  let reading = 0;
  let overlapping = false;
  const watched = {
    [Symbol.asyncIterator]() {
      const inner = source[Symbol.asyncIterator]();
      return {
        async next() {
          reading += 1;
          if (reading > 1) overlapping = true;
          try {
            return await inner.next();
          } finally {
            reading -= 1;
          }
        },
        return: () => inner.return(),
      };
    },
  };
  const seen: number[] = [];
  for await (const batch of readAhead(watched, 3)) {
    if (batch === 0) {
      await delay(60);
      // Batches 1, 2 and 3 were read while batch 0 was worked, not batch 4.
      assert.ok(events.includes('got 3') && !events.includes('read 4'), events.join(', '));
    }
    seen.push(batch);
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.equal(overlapping, false, 'never two reads of the source at once');
});

test('a consumer that stops early closes the source after the read in flight', async () => {
  const { events, source } = recordingSource(10);
  for await (const batch of readAhead(source)) {
    if (batch === 1) break;
  }
  assert.deepEqual(events.slice(-3), ['read 2', 'got 2', 'closed'], events.join(', '));
});

test('a read that fails ahead is thrown at the consumer next step, not left unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { source } = recordingSource(5, 1);
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const batch of readAhead(source)) {
          await delay(20); // the failed read settles while this batch is worked
          seen.push(batch);
        }
      })(),
      /read 1 failed/,
    );
    assert.deepEqual(seen, [0]);
    // A consumer that fails itself while a read is failing ahead gets its own error.
    const second = recordingSource(5, 1);
    await assert.rejects(
      (async () => {
        for await (const _batch of readAhead(second.source)) {
          await delay(20);
          throw new Error('consumer failed');
        }
      })(),
      /consumer failed/,
    );
    await delay(10);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
