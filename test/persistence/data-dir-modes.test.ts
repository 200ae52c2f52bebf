// Everything Ferry writes under FERRY_DATA_DIR is its owner's only: the directory 0700, its files 0600, whatever the
// umask. The tests run with umask 0, under which a file created without an explicit mode would be 0666 or 0644.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createFerry } from '../../src/ferry.ts';
import { createGzipRecordLogWriter } from '../../src/engine/record-logs/gzip-record-log-writer.ts';
import { call } from '../kit/ferry-server.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const octal = (mode: number) => mode.toString(8).padStart(4, '0');

async function withUmask<T>(umask: number, work: () => Promise<T>): Promise<T> {
  const previous = process.umask(umask);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

function configFor(dataDir: string) {
  return loadConfig(
    {
      FERRY_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      FERRY_BOOTSTRAP_PARTNER_KEY: `modes-partner-${process.pid}`,
      FERRY_BOOTSTRAP_API_KEY: `modes-api-${process.pid}`,
    },
    {},
  );
}

test('a server started on a fresh data dir makes it 0700 and its database, WAL, shared memory and key files 0600', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'ferry-modes-'));
  const dataDir = join(parent, 'nested', 'data');
  try {
    await withUmask(0, async () => {
      const { log, lines } = capturingLogger();
      const ferry = await createFerry(configFor(dataDir), { log });
      try {
        const url = await ferry.listen();
        // A write, so that the WAL holds a transaction while the server runs.
        const created = await call(url, 'POST', '/api/connections', {
          key: `modes-api-${process.pid}`,
          body: { name: 'files', type: 'files', configuration: { path: parent } },
        });
        assert.equal(created.status, 200, created.text);
        assert.equal(modeOf(dataDir), 0o700, `data dir is ${octal(modeOf(dataDir))}`);
        const files = readdirSync(dataDir);
        for (const name of ['ferry.db', 'ferry.db-wal', 'ferry.db-shm', 'secret.key'])
          assert.ok(files.includes(name), `${name} exists (found ${files.join(', ')})`);
        for (const name of files) {
          const mode = modeOf(join(dataDir, name));
          assert.equal(mode, 0o600, `${name} is ${octal(mode)}`);
        }
        assert.equal(
          lines.some((line) => line.level === 40),
          false,
          'a data dir Ferry made itself gives no warning',
        );
      } finally {
        await ferry.close();
      }
    });
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test("a data dir that already exists with a looser mode is warned about in the log and left as the user made it, while Ferry's files in it are tightened", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-modes-'));
  try {
    chmodSync(dataDir, 0o755);
    await withUmask(0o022, async () => {
      // A database left by an older Ferry, world-readable.
      const { log: firstLog } = capturingLogger();
      const first = await createFerry(configFor(dataDir), { log: firstLog });
      await first.close();
      chmodSync(join(dataDir, 'ferry.db'), 0o644);

      const { log, lines } = capturingLogger();
      const ferry = await createFerry(configFor(dataDir), { log });
      await ferry.close();
      const warnings = lines.filter((line) => line.level === 40).map((line) => line.msg);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(warnings[0]!, /data directory .* has mode 0755/);
      assert.equal(modeOf(dataDir), 0o755, "the user's directory keeps its mode");
      assert.equal(modeOf(join(dataDir, 'ferry.db')), 0o600);
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('record logs are written in 0700 directories as 0600 files', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'ferry-modes-'));
  const directory = join(parent, 'record-logs', 'model-syncs', 'sync', 'execution');
  try {
    mkdirSync(parent, { recursive: true });
    await withUmask(0, async () => {
      const writer = createGzipRecordLogWriter({ directory });
      await writer.write('records', { id: 1 });
      await writer.close();
    });
    for (let dir = directory; dir !== parent; dir = join(dir, '..'))
      assert.equal(modeOf(dir), 0o700, `${dir} is ${octal(modeOf(dir))}`);
    const files = readdirSync(directory);
    assert.ok(files.length >= 2, `a log file and the index (found ${files.join(', ')})`);
    for (const name of files) assert.equal(modeOf(join(directory, name)), 0o600, `${name}`);
    assert.ok(existsSync(directory));
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
