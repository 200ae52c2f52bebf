// Ctrl-C during `run --follow`: on a terminal (a pseudo-terminal made by util-linux `script`) the CLI asks whether
// to cancel, goes on following on "n", and cancels on "y" (exit 2); off a terminal SIGINT cancels at once. The run
// is a model sync into a webhook that holds every batch unanswered, so it is still running whenever Ctrl-C comes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { call, startFerry, type TestFerry } from '../kit/ferry-server.ts';
import { startUpstream, type UpstreamServer } from '../proxy/upstream-server.ts';
import { createSqliteSyncWorld, type SqliteSyncWorld } from './sqlite-sync-world.ts';
import { runCli, runCliInTerminal } from './cli-kit.ts';

const hasScript = await runCliInTerminal(['--help'], {}, { timeoutMs: 30_000 }).then(
  (run) => run.code === 0,
  () => false,
);

describe('Ctrl-C while following a run', () => {
  let server: TestFerry;
  let world: SqliteSyncWorld;
  let upstream: UpstreamServer;
  const held: ServerResponse[] = [];
  let syncId: string;
  let env: Record<string, string>;

  before(async () => {
    server = await startFerry('sqlite', { FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true' });
    world = await createSqliteSyncWorld(server, { users: 20, events: 1 });
    upstream = await startUpstream({
      '/hook': (_request, response, body) => {
        if ((JSON.parse(body) as { event?: string }).event === 'sync.records') held.push(response);
        else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
    });
    const connection = await call(server.url, 'POST', '/api/connections', {
      key: server.apiKey,
      body: { name: 'Hook', type: 'webhook', configuration: { url: `${upstream.url}/hook`, secret: 'whsec_cancel' } },
    });
    assert.equal(connection.status, 200, connection.text);
    const model = (await call(server.url, 'GET', '/api/models', { key: server.apiKey })).body.data[0];
    const field = (name: string) => ({ field: name, model_id: model.id });
    const sync = await call(server.url, 'POST', '/api/syncs', {
      key: server.apiKey,
      body: {
        name: 'Users to a slow hook',
        mode: 'updateOrCreate',
        schedule: { frequency: 'manual' },
        target: { connection_id: connection.body.data.id, object: 'records' },
        identity: { source: field('email'), target: 'email', function: 'Equality' },
        fields: [{ source: field('score'), target: 'score' }],
      },
    });
    assert.equal(sync.status, 200, sync.text);
    syncId = sync.body.data.id;
    env = { FERRY_URL: server.url, FERRY_API_KEY: server.apiKey };
  });
  after(async () => {
    for (const response of held) if (!response.destroyed) response.destroy();
    await server?.close();
    await upstream?.close();
    world?.remove();
  });

  test('on a terminal: asked, "n" keeps following, asked again, "y" cancels; exit 2', {
    skip: hasScript ? false : 'util-linux script is not installed',
  }, async () => {
    let step = 0;
    const run = await runCliInTerminal(['syncs', 'run', syncId, '--follow', '--interval', '100'], env, {
      onOutput: (stdout, control) => {
        const asked = stdout.split('Cancel execution').length - 1;
        if (step === 0 && /\| running|\/ running|- running|\\ running/.test(stdout) && held.length > 0) {
          step = 1;
          control.write('\x03');
        } else if (step === 1 && asked === 1) {
          step = 2;
          control.write('n\r');
        } else if (step === 2 && stdout.includes('still following')) {
          step = 3;
          control.write('\x03');
        } else if (step === 3 && asked === 2) {
          step = 4;
          control.write('y\r');
        }
      },
    });
    assert.equal(step, 4, JSON.stringify(run.stdout));
    assert.equal(run.code, 2, JSON.stringify(run.stdout));
    // readline may move the cursor (ESC [ n G) before echoing the answer.
    assert.match(run.stdout, /Cancel execution \S+\? \[y\/N\] (\x1b\[\d+G)?n\r/);
    assert.match(run.stdout, /still following/);
    assert.match(run.stdout, /canceling execution \S+/);
    assert.match(run.stdout, /canceled: \d+ rows .* in \d+\.\d s/);
  });

  test('off a terminal: SIGINT cancels the run, the follow waits for it to end, exit 2', async () => {
    let interrupted = false;
    const run = await runCli(['syncs', 'run', syncId, '--follow', '--interval', '100'], env, {
      onOutput: (stdout, control) => {
        if (!interrupted && / running /.test(stdout)) {
          interrupted = true;
          control.signal('SIGINT');
        }
      },
    });
    assert.ok(interrupted, run.stdout);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /^canceling execution \S+$/m);
    assert.match(run.stdout, /^canceled: /m);
    const executionId = /started execution (\S+)/.exec(run.stderr)![1]!;
    const execution = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${executionId}`, {
      key: server.apiKey,
    });
    assert.equal(execution.body.data.status, 'canceled');
  });

  test('executions logs --follow streams a live run’s console log and ends, exit 2, when the run is canceled', async () => {
    const started = await call(server.url, 'POST', `/api/syncs/${syncId}/executions`, { key: server.apiKey, body: {} });
    assert.equal(started.status, 200, started.text);
    const executionId = started.body.data.id as string;
    let canceled = false;
    const run = await runCli(['executions', 'logs', executionId, '--follow', '--interval', '100'], env, {
      onOutput: (stdout) => {
        // Cancel once the log has streamed at least one line of the live run.
        if (!canceled && stdout.includes('\n') && held.length > 0) {
          canceled = true;
          void call(server.url, 'POST', `/api/syncs/${syncId}/executions/${executionId}/cancel`, {
            key: server.apiKey,
          });
        }
      },
    });
    assert.ok(canceled, run.stdout + run.stderr);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.ok(lines.length >= 2, run.stdout);
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z (INFO|WARN|WARNING|ERROR|DEBUG)\s+\S/);
    assert.match(lines.at(-1)!, /Model sync canceled/);
  });
});
