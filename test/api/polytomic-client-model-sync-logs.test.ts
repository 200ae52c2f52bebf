// The official client, polytomic@1.18.1, unmodified, at 2024-02-08, through the model-sync execution log endpoints
// it has: getLogUrls (signed URLs per log type) and getLogs (typed void).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { PolytomicClient, Polytomic } from 'polytomic';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { insertModelSync, insertModelSyncExecution } from './model-sync-logs-kit.ts';

describe('official polytomic@1.18.1 client: model-sync execution logs at 2024-02-08', () => {
  let server: TestFerry;
  let client: PolytomicClient;
  let syncId: string;
  let executionId: string;
  const records = Array.from({ length: 7 }, (_, index) => ({
    action: 'insert',
    key: String(index),
    record: { id: index },
  }));

  before(async () => {
    server = await startFerry('sqlite');
    client = new PolytomicClient({ environment: server.url, token: server.apiKey, version: '2024-02-08' });
    syncId = await insertModelSync(server, server.organizationId);
    executionId = await insertModelSyncExecution(
      server,
      { id: syncId, organizationId: server.organizationId },
      {
        logs: { records, errors: [{ code: 'rejected', message: 'no such column', record: { id: 99 } }] },
        maxRecordsPerFile: 4,
      },
    );
  });
  after(() => server.close());

  test('getLogUrls returns signed URLs whose files gunzip to the logged records', async () => {
    const response = await client.modelSync.executions.getLogUrls(
      syncId,
      executionId,
      Polytomic.V2ExecutionLogType.Records,
    );
    const urls = response.data?.urls ?? [];
    assert.equal(urls.length, 2);
    assert.ok(Date.parse(response.data!.expires!) > Date.now());
    const lines: unknown[] = [];
    for (const url of urls) {
      const file = await fetch(url);
      assert.equal(file.status, 200);
      lines.push(
        ...gunzipSync(Buffer.from(await file.arrayBuffer()))
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
    }
    assert.deepEqual(lines, records);
    assert.deepEqual(
      (await client.modelSync.executions.getLogUrls(syncId, executionId, Polytomic.V2ExecutionLogType.Warnings)).data
        ?.urls,
      [],
    );
  });

  test('getLogs succeeds for a listed file (the SDK types it void); unknown executions, files and types are its typed errors', async () => {
    assert.equal(
      await client.modelSync.executions.getLogs(
        syncId,
        executionId,
        Polytomic.V2ExecutionLogType.Errors,
        'errors-0001.jsonl.gz',
      ),
      undefined,
    );
    await assert.rejects(
      client.modelSync.executions.getLogs(
        syncId,
        executionId,
        Polytomic.V2ExecutionLogType.Errors,
        'errors-0002.jsonl.gz',
      ),
      (error: unknown) => error instanceof Polytomic.NotFoundError,
    );
    await assert.rejects(
      client.modelSync.executions.getLogUrls(syncId, crypto.randomUUID(), Polytomic.V2ExecutionLogType.Records),
      (error: unknown) => error instanceof Polytomic.NotFoundError,
    );
    await assert.rejects(
      client.modelSync.executions.getLogUrls(syncId, executionId, 'everything' as Polytomic.V2ExecutionLogType),
      (error: unknown) => error instanceof Polytomic.BadRequestError,
    );
  });
});
