// Model-sync execution logs over plain HTTP at 2025-09-18: signed URLs per log type, the gzip JSON Lines files
// behind them, the logs index, and the console log. Executions are put in place as the worker leaves them
// (test/api/model-sync-logs-kit.ts), with record-log files written by the engine's own writer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { availableDialects, call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { recordLogLinkPurpose } from '../../src/services/model-sync-record-log-links.ts';
import {
  appendConsoleLines,
  insertModelSync,
  insertModelSyncExecution,
  type RecordLogEntries,
} from './model-sync-logs-kit.ts';

const records = [1, 2, 3, 4, 5].map((n) => ({
  action: n <= 3 ? 'insert' : 'update',
  key: String(n),
  record: { id: n, email: `user${n}@example.com` },
}));
const logs: RecordLogEntries = {
  records,
  inserts: records.slice(0, 3).map((entry) => entry.record),
  updates: records.slice(3).map((entry) => entry.record),
  errors: [{ code: 'rejected', message: 'email is not unique', record: { id: 6, email: 'user1@example.com' } }],
};
const filePath = /^\/api\/syncs\/([^/]+)\/executions\/([^/]+)\/([a-z]+)\/([^/?]+)\?token=([^&]+)$/;

async function download(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  return { response, body };
}

for (const dialect of await availableDialects()) {
  describe(`model-sync execution logs (${dialect})`, () => {
    let server: TestFerry;
    let syncId: string;
    let executionId: string;
    let otherTenantKey: string;

    before(async () => {
      server = await startFerry(dialect);
      syncId = await insertModelSync(server, server.organizationId);
      // Three entries per file, so `records` spans two files.
      executionId = await insertModelSyncExecution(
        server,
        { id: syncId, organizationId: server.organizationId },
        { logs, maxRecordsPerFile: 3 },
      );
      const organizationId = (
        await call(server.url, 'POST', '/api/organizations', { key: server.partnerKey, body: { name: 'Other tenant' } })
      ).body.data.id;
      const userId = (
        await call(server.url, 'POST', `/api/organizations/${organizationId}/users`, {
          key: server.partnerKey,
          body: { email: 'owner@other.example' },
        })
      ).body.data.id;
      otherTenantKey = (
        await call(server.url, 'POST', `/api/organizations/${organizationId}/users/${userId}/keys`, {
          key: server.partnerKey,
        })
      ).body.data.value;
    });
    after(() => server.close());

    const base = () => `/api/syncs/${syncId}/executions/${executionId}`;
    const sign = (claims: Record<string, unknown>, ttlMs: number, now?: number) =>
      server.ferry.context.signer(recordLogLinkPurpose).sign(claims, ttlMs, now);
    const claimsFor = (type: string, filename: string) => ({
      organization_id: server.organizationId,
      sync_id: syncId,
      execution_id: executionId,
      type,
      filename,
    });

    test('GET …/{type} signs one URL per file; each downloads, without an API key, the gzip JSON Lines the worker wrote', async () => {
      const expected: Record<string, { files: number; entries: unknown[] }> = {
        records: { files: 2, entries: logs.records! },
        inserts: { files: 1, entries: logs.inserts! },
        updates: { files: 1, entries: logs.updates! },
        errors: { files: 1, entries: logs.errors! },
        warnings: { files: 0, entries: [] },
        deletes: { files: 0, entries: [] },
      };
      for (const [type, { files, entries }] of Object.entries(expected)) {
        const response = await call(server.url, 'GET', `${base()}/${type}`, { key: server.apiKey });
        assert.equal(response.status, 200, response.text);
        const { expires, urls } = response.body.data;
        assert.equal(urls.length, files, type);
        const ttl = Date.parse(expires) - Date.now();
        assert.ok(ttl > 59 * 60_000 && ttl <= 60 * 60_000, `expires in about an hour (${ttl} ms)`);
        const lines: unknown[] = [];
        for (const [position, url] of (urls as string[]).entries()) {
          assert.ok(url.startsWith(server.url), url);
          const [, pathSync, pathExecution, pathType, filename] = filePath.exec(url.slice(server.url.length))!;
          assert.deepEqual(
            [pathSync, pathExecution, pathType, filename],
            [syncId, executionId, type, `${type}-000${position + 1}.jsonl.gz`],
          );
          const { response: file, body } = await download(url);
          assert.equal(file.status, 200);
          assert.equal(file.headers.get('content-type'), 'application/gzip');
          assert.equal(
            file.headers.get('content-encoding'),
            null,
            'the bytes are the .gz file itself, not a transfer encoding',
          );
          assert.equal(file.headers.get('content-length'), String(body.length));
          assert.match(file.headers.get('content-disposition') ?? '', new RegExp(`filename="${filename}"`));
          const text = gunzipSync(body).toString('utf8');
          assert.ok(text.endsWith('\n'));
          lines.push(
            ...text
              .trimEnd()
              .split('\n')
              .map((line) => JSON.parse(line)),
          );
        }
        assert.deepEqual(lines, entries, `${type}: the files hold every entry, in order`);
      }
    });

    test('the link is the credential: a tampered, re-pointed or expired token is a 403 ApiError', async () => {
      const [url] = (await call(server.url, 'GET', `${base()}/records`, { key: server.apiKey })).body.data
        .urls as string[];
      const [second] = (
        (await call(server.url, 'GET', `${base()}/records`, { key: server.apiKey })).body.data.urls as string[]
      ).slice(1);
      const token = new URL(url!).searchParams.get('token')!;
      const [body, signature] = token.split('.');
      const fileUrl = (type: string, filename: string, query: string) =>
        `${server.url}${base()}/${type}/${filename}${query}`;
      const attempts: Array<[string, string, Record<string, string>?]> = [
        [
          'signature altered',
          fileUrl(
            'records',
            'records-0001.jsonl.gz',
            `?token=${body}.${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`,
          ),
        ],
        [
          'claims altered',
          fileUrl(
            'records',
            'records-0001.jsonl.gz',
            `?token=${Buffer.from(JSON.stringify({ ...claimsFor('records', 'records-0001.jsonl.gz'), exp: Date.now() + 1e9 })).toString('base64url')}.${signature}`,
          ),
        ],
        ['token of another file', fileUrl('records', 'records-0002.jsonl.gz', `?token=${token}`)],
        ['token of another type', fileUrl('inserts', 'records-0001.jsonl.gz', `?token=${token}`)],
        [
          'token of another kind of link',
          fileUrl(
            'records',
            'records-0001.jsonl.gz',
            `?token=${server.ferry.context.signer('bulk-execution-log').sign(claimsFor('records', 'records-0001.jsonl.gz'), 60_000)}`,
          ),
        ],
        [
          'expired',
          fileUrl(
            'records',
            'records-0001.jsonl.gz',
            `?token=${sign(claimsFor('records', 'records-0001.jsonl.gz'), 60 * 60_000, Date.now() - 61 * 60_000)}`,
          ),
        ],
      ];
      for (const [label, attempt, headers] of attempts) {
        const { response, body: raw } = await download(attempt, headers);
        assert.equal(response.status, 403, label);
        const error = JSON.parse(raw.toString('utf8'));
        assert.equal(error.status, 403, label);
        assert.match(error.message, /log link/, label);
      }
      // The genuine links still work, and a token made for another execution of the same sync does not open this one's.
      assert.equal((await download(url!)).response.status, 200);
      assert.equal((await download(second!)).response.status, 200);
      const sibling = await insertModelSyncExecution(
        server,
        { id: syncId, organizationId: server.organizationId },
        { logs: { records: [{ secret: true }] } },
      );
      const siblingToken = sign({ ...claimsFor('records', 'records-0001.jsonl.gz'), execution_id: sibling }, 60_000);
      assert.equal(
        (await download(fileUrl('records', 'records-0001.jsonl.gz', `?token=${siblingToken}`))).response.status,
        403,
      );
    });

    test("without a token the file route is an API call (bearer key) that answers the file's signed URL, as the SDK documents", async () => {
      const path = `${base()}/inserts/inserts-0001.jsonl.gz`;
      const anonymous = await call(server.url, 'GET', path);
      assert.equal(anonymous.status, 401, anonymous.text);
      const response = await call(server.url, 'GET', path, { key: server.apiKey });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.data.urls.length, 1);
      assert.ok(Date.parse(response.body.data.expires) > Date.now());
      const { response: file, body } = await download(response.body.data.urls[0]);
      assert.equal(file.status, 200);
      assert.deepEqual(
        gunzipSync(body)
          .toString('utf8')
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)),
        logs.inserts,
      );
      assert.equal((await call(server.url, 'GET', path, { key: otherTenantKey })).status, 404, 'another organization');
      assert.equal(
        (await call(server.url, 'GET', `${base()}/inserts/inserts-0002.jsonl.gz`, { key: server.apiKey })).status,
        404,
        'a file the index does not list',
      );
      assert.equal(
        (
          await call(server.url, 'GET', `${base()}/inserts/${encodeURIComponent('../index.json')}`, {
            key: server.apiKey,
          })
        ).status,
        404,
      );
    });

    test('a type outside ExecutionLogType is a 400 naming type; unknown files are 404 and names outside the index are never served', async () => {
      const bad = await call(server.url, 'GET', `${base()}/everything`, { key: server.apiKey });
      assert.equal(bad.status, 400, bad.text);
      assert.match(bad.body.message, /\btype\b/);
      assert.equal(bad.body.metadata?.field, 'type');
      const badFile = await call(server.url, 'GET', `${base()}/everything/records-0001.jsonl.gz?token=x`);
      assert.equal(badFile.status, 400, badFile.text);

      // Genuine signatures over names the index does not list: a later file, the index itself, a path out of the directory.
      for (const filename of [
        'records-0003.jsonl.gz',
        'index.json',
        '../index.json',
        '../../../ferry.db',
        'inserts-0001.jsonl.gz',
      ]) {
        const token = sign(claimsFor('records', filename), 60_000);
        const response = await call(
          server.url,
          'GET',
          `${base()}/records/${encodeURIComponent(filename)}?token=${token}`,
        );
        assert.equal(response.status, 404, `${filename}: ${response.text}`);
        assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      }
    });

    test("unknown syncs and executions are 404, and so are another organization's", async () => {
      const otherSync = await insertModelSync(server, server.organizationId);
      const paths = [
        `/api/syncs/${crypto.randomUUID()}/executions/${executionId}`,
        `/api/syncs/${syncId}/executions/${crypto.randomUUID()}`,
        `/api/syncs/${otherSync}/executions/${executionId}`,
      ];
      for (const path of paths) {
        for (const suffix of ['/records', '/logs', '/consolelog']) {
          const response = await call(server.url, 'GET', path + suffix, { key: server.apiKey });
          assert.equal(response.status, 404, `${path}${suffix}: ${response.text}`);
        }
      }
      for (const suffix of ['/records', '/errors', '/logs', '/consolelog']) {
        const response = await call(server.url, 'GET', base() + suffix, { key: otherTenantKey });
        assert.equal(response.status, 404, `other tenant ${suffix}: ${response.text}`);
        assert.ok(!response.text.includes('user1@example.com'));
      }
      // A file link re-pointed at another sync of the same organization is refused before any lookup.
      const token = new URL(
        ((await call(server.url, 'GET', `${base()}/records`, { key: server.apiKey })).body.data.urls as string[])[0]!,
      ).searchParams.get('token');
      assert.equal(
        (
          await call(
            server.url,
            'GET',
            `/api/syncs/${otherSync}/executions/${executionId}/records/records-0001.jsonl.gz?token=${token}`,
          )
        ).status,
        403,
      );
    });

    test('the logs index counts the records and names one retrieval endpoint per type produced, omitting empty types', async () => {
      const response = await call(server.url, 'GET', `${base()}/logs`, { key: server.apiKey });
      assert.equal(response.status, 200, response.text);
      const { data } = response.body;
      assert.equal(data.record_count, 5);
      assert.deepEqual(Object.keys(data.logs).sort(), ['errors', 'inserts', 'records', 'updates']);
      assert.deepEqual(data.logs.records, { record_count: 5, files: 2, url: `${server.url}${base()}/records` });
      assert.deepEqual(data.logs.errors, { record_count: 1, files: 1, url: `${server.url}${base()}/errors` });
      assert.equal(data.logs.inserts.record_count, 3);
      assert.equal(data.logs.updates.record_count, 2);
      const followed = await call(server.url, 'GET', data.logs.errors.url.slice(server.url.length), {
        key: server.apiKey,
      });
      assert.equal(followed.body.data.urls.length, 1);

      const quiet = await insertModelSyncExecution(server, { id: syncId, organizationId: server.organizationId });
      const empty = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${quiet}/logs`, {
        key: server.apiKey,
      });
      assert.deepEqual(empty.body, { data: { record_count: 0, logs: {} } });
      const noUrls = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${quiet}/records`, {
        key: server.apiKey,
      });
      assert.deepEqual(noUrls.body.data.urls, []);
    });

    test('the console log pages with after and next_cursor while the run goes; limit over 50 is a 400 naming limit', async () => {
      const running = await insertModelSyncExecution(
        server,
        { id: syncId, organizationId: server.organizationId },
        { status: 'running' },
      );
      const path = `/api/syncs/${syncId}/executions/${running}/consolelog`;
      assert.deepEqual((await call(server.url, 'GET', path, { key: server.apiKey })).body, { data: { entries: [] } });
      await appendConsoleLines(server, running, ['Model sync started', 'batch 1', 'batch 2', 'batch 3', 'batch 4']);
      await appendConsoleLines(server, executionId, ['another execution']);

      const first = await call(server.url, 'GET', `${path}?limit=2`, { key: server.apiKey });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(
        first.body.data.entries.map((entry: { message: string }) => entry.message),
        ['Model sync started', 'batch 1'],
      );
      const entry = first.body.data.entries[0];
      assert.equal(entry.level, 'INFO');
      assert.deepEqual(entry.payload, { message: 'Model sync started' });
      assert.ok(Date.parse(entry.timestamp) <= Date.now());
      assert.equal(first.body.data.next_cursor, first.body.data.entries[1].id);

      const second = await call(server.url, 'GET', `${path}?limit=2&after=${first.body.data.next_cursor}`, {
        key: server.apiKey,
      });
      assert.deepEqual(
        second.body.data.entries.map((line: { message: string }) => line.message),
        ['batch 2', 'batch 3'],
      );
      const rest = await call(server.url, 'GET', `${path}?after=${second.body.data.next_cursor}`, {
        key: server.apiKey,
      });
      assert.deepEqual(
        rest.body.data.entries.map((line: { message: string }) => line.message),
        ['batch 4'],
      );

      // A line written after the reader caught up shows on its next call.
      const caughtUp = await call(server.url, 'GET', `${path}?after=${rest.body.data.next_cursor}`, {
        key: server.apiKey,
      });
      assert.deepEqual(caughtUp.body, { data: { entries: [] } });
      await appendConsoleLines(server, running, ['Model sync completed']);
      const latest = await call(server.url, 'GET', `${path}?after=${rest.body.data.next_cursor}`, {
        key: server.apiKey,
      });
      assert.deepEqual(
        latest.body.data.entries.map((line: { message: string }) => line.message),
        ['Model sync completed'],
      );

      for (const query of ['limit=51', 'limit=0', 'limit=many']) {
        const invalid = await call(server.url, 'GET', `${path}?${query}`, { key: server.apiKey });
        assert.equal(invalid.status, 400, query);
        assert.equal(invalid.body.metadata?.field, 'limit', query);
      }
      const fifty = await call(server.url, 'GET', `${path}?limit=50`, { key: server.apiKey });
      assert.equal(fifty.body.data.entries.length, 6);
    });

    test('2024-02-08 has getLogUrls and the files, but neither the logs index nor the console log (404)', async () => {
      for (const suffix of ['/logs', '/consolelog']) {
        const response = await call(server.url, 'GET', base() + suffix, { key: server.apiKey, version: '2024-02-08' });
        assert.equal(response.status, 404, `${suffix}: ${response.text}`);
        assert.match(response.body.message, /does not exist in API version 2024-02-08/);
      }
      const urls = await call(server.url, 'GET', `${base()}/errors`, { key: server.apiKey, version: '2024-02-08' });
      assert.equal(urls.status, 200, urls.text);
      const { response, body } = await download(urls.body.data.urls[0], { 'x-polytomic-version': '2024-02-08' });
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(gunzipSync(body).toString('utf8')), logs.errors![0]);
    });
  });
}
