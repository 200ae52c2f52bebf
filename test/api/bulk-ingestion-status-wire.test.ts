// The sync status's ingestion_status in each state of a change stream: the spec's ok|warning|error, and Ferry's
// bytes_behind only when it was measured. The states a real source reaches only by failing (unreachable, a
// purged position) are built here; the measured ones run against real sources in change-capture-*.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ingestionStatusToWire } from '../../src/api/resources/bulk-syncs/bulk-ingestion-status-wire.ts';
import type { StoredStreamState } from '../../src/engine/bulk/checkpoint-store.ts';

const streaming: StoredStreamState = {
  syncId: 's',
  streamId: 'ferry_s',
  sourceConnectionId: 'c',
  phase: 'streaming',
  position: '0/16B3748',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
};

test('at or under the threshold is ok, over it a warning naming both figures', () => {
  const at = ingestionStatusToWire({ stream: streaming, bytesBehind: 1000, warnBytes: 1000 }, true);
  assert.deepEqual(
    { ...at, status_message: undefined },
    {
      enabled: true,
      is_running: true,
      position: '0/16B3748',
      updated_at: '2026-01-01T00:01:00.000Z',
      status: 'ok',
      status_message: undefined,
      bytes_behind: 1000,
    },
  );
  const over = ingestionStatusToWire({ stream: streaming, bytesBehind: 1001, warnBytes: 1000 }, false);
  assert.equal(over.status, 'warning');
  assert.equal(over.is_running, false);
  assert.match(over.status_message, /1,001 bytes behind .* threshold of 1,000 \(FERRY_CDC_LAG_WARN_BYTES\)/);
});

test('a stream that could not be measured is an error saying why, without bytes_behind', () => {
  const wire = ingestionStatusToWire(
    { stream: streaming, bytesBehind: undefined, warnBytes: 1000, unmeasured: 'the source could not be asked: down' },
    false,
  );
  assert.equal(wire.status, 'error');
  assert.match(wire.status_message, /could not be asked: down/);
  assert.equal('bytes_behind' in wire, false);
  assert.equal(wire.position, '0/16B3748', 'the checkpointed position is still known');
});

test('no stream yet, and a snapshot being copied, are ok with no position', () => {
  const none = ingestionStatusToWire({ stream: undefined, bytesBehind: undefined, warnBytes: 1000 }, false);
  assert.equal(none.status, 'ok');
  assert.equal('position' in none, false);
  assert.match(none.status_message, /No change stream yet/);
  const copying = ingestionStatusToWire(
    { stream: { ...streaming, phase: 'snapshotting', position: null }, bytesBehind: undefined, warnBytes: 1000 },
    true,
  );
  assert.equal(copying.status, 'ok');
  assert.equal('position' in copying, false);
  assert.match(copying.status_message, /Copying the initial snapshot/);
});
