// Worker identity slots: the first free slot wins, in order; ids that cannot be one are refused; and the embedded
// slot lock is exclusive between connections of one process too, and free again once released. (Between processes,
// and after a SIGKILL, the shared queue suite checks it with real processes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimWorkerSlot, maxWorkerSlots, type SlotLock } from '../../src/queue/worker-slot.ts';
import { slotLockPath, tryEmbeddedSlotLock } from '../../src/queue/embedded/embedded-slot-lock.ts';

const lock: SlotLock = { release: async () => undefined };

test('the first free slot of the identity is taken, in order', async () => {
  const held = new Set(['worker-a', 'worker-a#2']);
  const tried: string[] = [];
  const claimed = await claimWorkerSlot('worker-a', async (id) => {
    tried.push(id);
    return held.has(id) ? undefined : lock;
  });
  assert.equal(claimed.slotId, 'worker-a#3');
  assert.deepEqual(tried, ['worker-a', 'worker-a#2', 'worker-a#3']);
  assert.equal((await claimWorkerSlot('worker-a', async () => lock)).slotId, 'worker-a');
});

test('an identity whose slots are all held, or that cannot be a worker id, is refused', async () => {
  await assert.rejects(
    claimWorkerSlot('busy', async () => undefined),
    new RegExp(`all ${maxWorkerSlots} slots of worker id busy`),
  );
  for (const bad of ['', 'has space', 'a#2', '../etc', 'x'.repeat(101)])
    await assert.rejects(
      claimWorkerSlot(bad, async () => lock),
      /must match/,
    );
});

test('the embedded slot lock: exclusive within one process, 0600, free again once released', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-slot-'));
  try {
    const database = join(dir, 'ferry.db');
    const first = await tryEmbeddedSlotLock(database, 'host-1#2');
    assert.ok(first);
    assert.equal(slotLockPath(database, 'host-1#2'), join(dir, 'ferry.db.worker-host-1+2.lock'));
    assert.equal(statSync(slotLockPath(database, 'host-1#2')).mode & 0o777, 0o600);
    assert.equal(await tryEmbeddedSlotLock(database, 'host-1#2'), undefined, 'a second holder got the lock');
    const other = await tryEmbeddedSlotLock(database, 'host-1');
    assert.ok(other, 'another slot is a separate lock');
    await first.release();
    const again = await tryEmbeddedSlotLock(database, 'host-1#2');
    assert.ok(again, 'the released lock could not be taken again');
    await again.release();
    await other.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
