// `ferry syncs|bulk-syncs|executions …` as a user runs them: the bin in a child process, talking HTTP to a real
// server, with real bulk and model-sync runs between SQLite files; the progress display in a pseudo-terminal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { createSqliteSyncWorld, type SqliteSyncWorld } from './sqlite-sync-world.ts';
import { runCli, runCliInTerminal } from './cli-kit.ts';

const hasScript = await runCliInTerminal(['--help'], {}, { timeoutMs: 30_000 }).then(
  (run) => run.code === 0,
  () => false,
);

describe('the sync commands over HTTP', () => {
  let server: TestFerry;
  let world: SqliteSyncWorld;
  let env: Record<string, string>;
  before(async () => {
    server = await startFerry('sqlite');
    world = await createSqliteSyncWorld(server, { users: 20_000, events: 300 });
    env = { FERRY_URL: server.url, FERRY_API_KEY: server.apiKey };
  });
  after(async () => {
    await server?.close();
    world?.remove();
  });

  test('syncs list and bulk-syncs list print the organization’s syncs under a header', async () => {
    const models = await runCli(['syncs', 'list'], env);
    assert.equal(models.code, 0, models.stderr);
    const [header, ...rows] = models.stdout.trimEnd().split('\n');
    assert.match(header!, /^ID\s+NAME\s+ACTIVE\s+MODE\s+SCHEDULE\s+TARGET$/);
    assert.equal(rows.length, 1);
    assert.match(
      rows[0]!,
      new RegExp(`^${world.modelSyncId}\\s+Users to contacts\\s+yes\\s+updateOrCreate\\s+manual\\s+contacts$`),
    );

    const bulk = await runCli(['bulk-syncs', 'list', '--json'], env);
    assert.equal(bulk.code, 0, bulk.stderr);
    assert.deepEqual(
      (JSON.parse(bulk.stdout) as Array<{ id: string }>).map((sync) => sync.id).sort(),
      [world.bulkSyncId, world.failingBulkSyncId].sort(),
    );
  });

  test('bulk-syncs run --follow prints plain progress lines off a terminal and exits 0 when the run completed', async () => {
    const run = await runCli(['bulk-syncs', 'run', world.bulkSyncId, '--follow', '--interval', '100'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const executionId = /started execution (\S+)/.exec(run.stderr)?.[1];
    assert.ok(executionId, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines.at(-1)!, /^completed: 20,300 rows, 2\/2 schemas in \d+\.\d s \([\d,]+ rows\/s\)$/);
    for (const line of lines.slice(0, -1)) {
      assert.match(
        line,
        /^\d{4}-\d\d-\d\dT\S+Z (scheduled|running|created) rows=\d+ rows\/s=\d+ schemas=\d+\/\d+ elapsed=\d+\.\ds$/,
      );
    }
    assert.ok(!run.stdout.includes('\x1b['), 'no terminal control codes off a terminal');
    const destination = new Database(world.destinationPath, { readonly: true });
    try {
      assert.equal((destination.prepare('select count(*) as n from users').get() as { n: number }).n, 20_000);
    } finally {
      destination.close();
    }

    const listed = await runCli(['executions', 'list', world.bulkSyncId], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${executionId}\\s+completed\\s+manual\\s+20300\\s`, 'm'));

    const logs = await runCli(['executions', 'logs', executionId, '--follow'], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /INFO\s+Completed: 20,300 rows in/);
  });

  test('syncs run --follow follows a model sync to completion; executions list finds it by the sync id alone', async () => {
    const run = await runCli(['syncs', 'run', world.modelSyncId, '--follow', '--interval', '100'], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout.trimEnd().split('\n').at(-1)!, /^completed: 20,000 rows \(20,000 written\) in \d+\.\d s/);
    const executionId = /started execution (\S+)/.exec(run.stderr)![1]!;
    const listed = await runCli(['executions', 'list', world.modelSyncId, '--limit', '5'], env);
    assert.match(listed.stdout, new RegExp(`^${executionId}\\s+completed\\s+manual\\s+20000\\s`, 'm'));
    const logs = await runCli(['executions', 'logs', executionId], env);
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(logs.stdout.trim().split('\n').length >= 1, logs.stdout);
  });

  test('a failing run exits 1 with the reason; executions logs --follow of it exits 1 too', async () => {
    const run = await runCli(['bulk-syncs', 'run', world.failingBulkSyncId, '--follow', '--interval', '100'], env);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^failed: 0 rows, 1\/1 schemas in .*: 1 of 1 schema\(s\) failed; first: gone: /m);
    const executionId = /started execution (\S+)/.exec(run.stderr)![1]!;
    const logs = await runCli(['executions', 'logs', executionId, '--follow', '--interval', '100'], env);
    assert.equal(logs.code, 1);
    assert.match(logs.stdout, /ERROR\s+Failed: 0 rows/);
  });

  test('mistakes are reported in a line, with a non-zero exit: a wrong key, an unknown id, no key at all', async () => {
    const wrongKey = await runCli(['syncs', 'list', '--api-key', 'not-a-key'], env);
    assert.equal(wrongKey.code, 1);
    assert.match(
      wrongKey.stderr,
      /^ferry: GET \/api\/syncs\?limit=50: .*\(HTTP 401\); set FERRY_API_KEY or --api-key\n$/,
    );
    const unknown = await runCli(['executions', 'list', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no sync or bulk sync 00000000-0000-4000-8000-000000000000 in this organization/);
    const noKey = await runCli(['bulk-syncs', 'list', '--url', server.url], { FERRY_API_KEY: '' });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /an API key is needed/);
  });

  test('on a terminal, run --follow redraws one progress line (bar, schemas, rows, rows/s, elapsed) and ends with the summary', {
    skip: hasScript ? false : 'util-linux script is not installed',
  }, async () => {
    const run = await runCliInTerminal(['bulk-syncs', 'run', world.bulkSyncId, '--follow', '--interval', '100'], env);
    assert.equal(run.code, 0, JSON.stringify(run.stdout));
    const redraws = run.stdout.split('\r\x1b[2K').slice(1);
    assert.ok(redraws.length >= 2, JSON.stringify(run.stdout));
    for (const frame of redraws.slice(0, -1)) {
      assert.match(
        frame,
        /^[|/\\-] (scheduled|running|created)\s+\[[#-]{20}\] \d\/\d schemas {2}[\d,]+ rows {2}[\d,]+ rows\/s {2}\d\d:\d\d$/,
      );
    }
    assert.match(redraws.at(-1)!, /^completed: 20,300 rows, 2\/2 schemas in \d+\.\d s \([\d,]+ rows\/s\)\r\n$/);
  });
});
