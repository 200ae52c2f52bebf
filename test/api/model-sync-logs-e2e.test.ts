// Model-sync logs of real executions: the in-process worker runs a sync from a PostgreSQL model to a PostgreSQL
// target, and what it logged is read back through the public API only (index, signed URLs, files, console log).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { modelSyncRecordLogDirectory } from '../../src/services/model-sync-record-log-location.ts';
import {
  createExecutionWorld,
  createSync,
  range,
  runToCompletion,
  setPeople,
  syncRequest,
  type ExecutionWorld,
} from './model-sync-execution-kit.ts';
import type { ReadBack } from '../kit/read-back.ts';

async function downloadType(server: TestFerry, syncId: string, executionId: string, type: string): Promise<ReadBack[]> {
  const response = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${executionId}/${type}`, {
    key: server.apiKey,
  });
  assert.equal(response.status, 200, response.text);
  const entries: ReadBack[] = [];
  for (const url of response.body.data.urls as string[]) {
    const file = await fetch(url);
    assert.equal(file.status, 200);
    entries.push(
      ...gunzipSync(Buffer.from(await file.arrayBuffer()))
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    );
  }
  return entries;
}

describe('model-sync logs of real executions', { skip: await postgresUnavailable() }, () => {
  let server: TestFerry;
  let world: ExecutionWorld;

  before(async () => {
    server = await startFerry('sqlite', { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
    world = await createExecutionWorld(server, range(1, 25));
  });
  after(async () => {
    await server?.close();
    await world?.remove();
  });

  test('each run logs what it did: the index, the files and the console log agree with the counts', async () => {
    await setPeople(world.source, range(1, 25));
    const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
    const first = await runToCompletion(server, syncId);

    const index = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${first.id}/logs`, {
      key: server.apiKey,
    });
    assert.equal(index.status, 200, index.text);
    assert.equal(index.body.data.record_count, 25);
    assert.deepEqual(Object.keys(index.body.data.logs).sort(), ['inserts', 'records']);
    assert.equal(index.body.data.logs.inserts.record_count, first.counts.insert);
    const inserts = await downloadType(server, syncId, first.id, 'inserts');
    assert.equal(inserts.length, 25);
    assert.ok(JSON.stringify(inserts).includes('p00025@x.com'));
    assert.equal((await downloadType(server, syncId, first.id, 'records')).length, 25);

    const consoleLog = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${first.id}/consolelog`, {
      key: server.apiKey,
    });
    assert.equal(consoleLog.status, 200, consoleLog.text);
    const messages = consoleLog.body.data.entries.map((entry: { message: string }) => entry.message);
    assert.ok(messages.length >= 2, JSON.stringify(messages));
    assert.match(messages[0], /started/i);

    // The next run sends only the change: one update and two inserts; the index names only those types.
    await setPeople(world.source, [...range(1, 24), { ...range(25, 25)[0]!, name: 'Renamed' }, ...range(26, 27)]);
    const second = await runToCompletion(server, syncId);
    const secondIndex = (
      await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${second.id}/logs`, { key: server.apiKey })
    ).body.data;
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(secondIndex.logs).map(([type, entry]) => [
          type,
          (entry as { record_count: number }).record_count,
        ]),
      ),
      { inserts: 2, updates: 1, records: secondIndex.record_count },
    );
    const updates = await downloadType(server, syncId, second.id, 'updates');
    assert.ok(JSON.stringify(updates).includes('Renamed'), JSON.stringify(updates));
    assert.deepEqual(await downloadType(server, syncId, second.id, 'deletes'), []);

    // Deleting the sync takes its executions' record-log files with it.
    const directory = modelSyncRecordLogDirectory(server.ferry.context.config.dataDir, syncId, first.id);
    assert.ok(existsSync(directory), 'the first run wrote its record logs');
    assert.equal((await call(server.url, 'DELETE', `/api/syncs/${syncId}`, { key: server.apiKey })).status, 204);
    assert.equal(existsSync(dirname(directory)), false, 'no record-log file outlives its sync');
  });
});
