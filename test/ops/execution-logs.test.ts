// The process log of real runs: every line the worker tasks write about an execution names the execution, its
// sync, its organization and the kind of sync, so that one search (executionId=…) finds a whole run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startFerry } from '../kit/ferry-server.ts';
import { createSqliteSyncWorld, runToEnd } from './sqlite-sync-world.ts';

test('the lines of a bulk run, a model-sync run and a failed run carry execution, sync and organization', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const server = await startFerry('sqlite', {}, { log: pino({ level: 'info', base: { service: 'ferry' } }, sink) });
  const world = await createSqliteSyncWorld(server, { users: 50, events: 5 });
  try {
    const bulk = await runToEnd(server, 'bulk', world.bulkSyncId);
    const model = await runToEnd(server, 'model', world.modelSyncId);
    const failed = await runToEnd(server, 'bulk', world.failingBulkSyncId);
    assert.deepEqual([bulk.status, model.status, failed.status], ['completed', 'completed', 'failed']);

    const about = (executionId: string) => lines.filter((line) => line.executionId === executionId);
    const expect = (executionId: string, syncId: string, kind: string, messages: string[]) => {
      const found = about(executionId);
      assert.deepEqual(
        found.map((line) => line.msg),
        messages,
        JSON.stringify(lines.filter((line) => String(line.msg).includes('execution'))),
      );
      for (const line of found) {
        assert.equal(line.syncId, syncId);
        assert.equal(line.organizationId, server.organizationId);
        assert.equal(line.kind, kind);
        assert.equal(line.attempt, 1);
        assert.equal(line.service, 'ferry');
      }
      return found;
    };
    expect(bulk.id, world.bulkSyncId, 'bulk', ['bulk execution running', 'bulk execution completed']);
    const modelLines = expect(model.id, world.modelSyncId, 'model', [
      'model sync execution running',
      'model sync execution completed',
    ]);
    assert.equal(modelLines[0]!.trigger, 'manual');
    const failedLines = expect(failed.id, world.failingBulkSyncId, 'bulk', [
      'bulk execution running',
      'bulk execution failed',
    ]);
    assert.equal(failedLines[1]!.level, 40, 'a failure is a warning');
    // No task line about an execution goes out without naming it.
    const unnamed = lines.filter(
      (line) => /execution (running|completed|failed|canceled)/.test(String(line.msg)) && !line.executionId,
    );
    assert.deepEqual(unnamed, []);
  } finally {
    await server.close();
    world.remove();
  }
});
