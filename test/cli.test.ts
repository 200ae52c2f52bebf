// The `ferry` command as a user runs it: real processes, real files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from './kit/free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { once } from 'node:events';

const execFileAsync = promisify(execFile);
const ferryBin = join(process.cwd(), 'bin/ferry.js');

function ferry(args: string[], env: Record<string, string> = {}) {
  return execFileAsync(process.execPath, [ferryBin, ...args], { env: { ...process.env, ...env } });
}

test('every command has --help', async () => {
  for (const args of [
    ['--help'],
    ['serve', '--help'],
    ['worker', '--help'],
    ['migrate', '--help'],
    ['keys', '--help'],
    ['keys', 'create', '--help'],
    ['keys', 'list', '--help'],
    ['keys', 'revoke', '--help'],
    ['syncs', 'list', '--help'],
    ['syncs', 'run', '--help'],
    ['bulk-syncs', 'list', '--help'],
    ['bulk-syncs', 'run', '--help'],
    ['executions', 'list', '--help'],
    ['executions', 'logs', '--help'],
    ['mcp', '--help'],
  ]) {
    const { stdout } = await ferry(args);
    assert.match(stdout, /Usage: ferry/, args.join(' '));
  }
});

test('serve on a fresh data dir prints keys once, answers /api/me, and stops cleanly; keys and migrate work on its data', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [ferryBin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    // Generous: a first start compiles the whole server through tsx, which takes long on a loaded machine.
    const deadline = Date.now() + 90_000;
    let apiKey: string | undefined;
    while (!apiKey && Date.now() < deadline) {
      apiKey = /admin API key \(org\):\s+(\S+)/.exec(output)?.[1];
      if (!apiKey) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(apiKey, `no key printed: ${output}`);
    let response: Response | undefined;
    while (Date.now() < deadline) {
      response = await fetch(`http://127.0.0.1:${port}/api/me`, {
        headers: { authorization: `Bearer ${apiKey}` },
      }).catch(() => undefined);
      if (response) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(response?.status, 200);
    assert.equal(response?.headers.get('x-polytomic-version'), '2025-09-18');
    assert.equal(((await response!.json()) as { data: { email: string } }).data.email, 'admin@localhost');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);

    const migrated = await ferry(['migrate', '--data-dir', dataDir]);
    assert.match(migrated.stdout, /already up to date/);

    const created = await ferry(['keys', 'create', '--kind', 'partner', '--label', 'ci', '--data-dir', dataDir]);
    const partnerKey = created.stdout.trim();
    assert.match(partnerKey, /^ferry_pk_/);
    const listed = await ferry(['keys', 'list', '--data-dir', dataDir]);
    assert.equal(listed.stdout.trim().split('\n').length, 3, 'bootstrap partner key, bootstrap admin key, the new key');
    assert.ok(!listed.stdout.includes(partnerKey), 'listings never show key values');
    const revoked = await ferry(['keys', 'revoke', partnerKey.slice(0, 12), '--data-dir', dataDir]);
    assert.match(revoked.stdout, /revoked 1 key/);
    await assert.rejects(ferry(['keys', 'revoke', 'no-such-key', '--data-dir', dataDir]));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('migrate on an empty data dir applies the migrations', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
  try {
    const { stdout } = await ferry(['migrate', '--data-dir', dataDir], { DATABASE_URL: '' });
    assert.match(stdout, /applied: 0001-foundation/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
