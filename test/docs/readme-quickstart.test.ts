// The README's Quickstart, run as written: its ```sh blocks, taken from README.md itself, run by bash against a real
// server on an empty data dir and two real PostgreSQL scratch databases, and the synced tables counted afterwards,
// so the README cannot rot. The first block says where Ferry and PostgreSQL are; the test sets those variables to
// its own server and databases instead (and checks that the block sets exactly those), and runs the others.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startFerry, type TestFerry } from '../kit/ferry-server.ts';
import {
  createPostgresDatabase,
  postgresAdminUrl,
  postgresUnavailable,
  type ScratchDatabase,
} from '../kit/services.ts';

const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');

/** The ```sh blocks of the section under `## Quickstart`, in order. */
function quickstartBlocks(): string[] {
  const start = readme.indexOf('\n## Quickstart\n');
  assert.ok(start >= 0, 'README.md has a "## Quickstart" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

function missingTools(): string | undefined {
  const missing = ['bash', 'curl', 'jq', 'psql'].filter((tool) => spawnSync('which', [tool]).status !== 0);
  return missing.length ? `the Quickstart needs ${missing.join(', ')}, which this machine lacks` : undefined;
}

const adminUrl = new URL(postgresAdminUrl);
const skip =
  (await postgresUnavailable()) ??
  missingTools() ??
  (adminUrl.port && adminUrl.port !== '5432'
    ? 'the Quickstart’s connections use PostgreSQL’s default port'
    : undefined);

async function count(database: ScratchDatabase, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

/** Runs a bash script in its own process group, so that a timeout ends it and whatever it started. */
function runBash(script: string, env: Record<string, string>, timeoutMs: number) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the README Quickstart', { skip }, () => {
  let server: TestFerry;
  let source: ScratchDatabase;
  let destination: ScratchDatabase;
  let env: Record<string, string>;

  before(async () => {
    server = await startFerry('sqlite');
    source = await createPostgresDatabase('ferry_quickstart_src');
    destination = await createPostgresDatabase('ferry_quickstart_dst');
    env = {
      FERRY_URL: server.url,
      FERRY_API_KEY: server.apiKey,
      PGHOST: adminUrl.hostname,
      PGUSER: decodeURIComponent(adminUrl.username) || 'postgres',
      PGPASSWORD: decodeURIComponent(adminUrl.password) || 'unused-with-trust',
      SOURCE_DB: source.name,
      DESTINATION_DB: destination.name,
    };
  });
  after(async () => {
    await server?.close();
    await source?.drop();
    await destination?.drop();
  });

  test('its first block sets exactly what the test sets, and the others use nothing else from outside', () => {
    const [setup, ...rest] = quickstartBlocks();
    assert.ok(setup && rest.length >= 3, 'a setup block and the steps');
    const exported = [...setup.matchAll(/\b([A-Z_]+)=/g)].map((match) => match[1]!);
    assert.deepEqual([...new Set(exported)].sort(), Object.keys(env).sort());
    const script = rest.join('\n');
    const assigned = new Set([...script.matchAll(/^\s*([A-Z_]+)=/gm)].map((match) => match[1]!));
    const used = new Set([...script.matchAll(/\$\{?([A-Z_]+)|env\.([A-Z_]+)/g)].map((match) => match[1] ?? match[2]!));
    for (const name of used) assert.ok(assigned.has(name) || name in env, `${name} comes from nowhere`);
  });

  test('runs as written: a bulk sync copies users, a model sync fills contacts', async () => {
    const [, ...steps] = quickstartBlocks();
    const run = await runBash(steps.join('\n'), env, 240_000);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /^completed: 1,000 rows, 1\/1 schemas in /m);
    assert.match(run.output, /^completed: 250 rows \(250 written\) in /m);
    assert.equal(await count(source, 'users'), 1000);
    assert.equal(await count(destination, 'public.users'), 1000);
    assert.equal(await count(destination, 'public.contacts'), 250);
  });
});
