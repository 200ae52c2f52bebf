// A model sync across server restarts on one data dir (SQLite metadata, in-process worker): a stopping server saves
// its state cache under FERRY_DATA_DIR/state-cache, and the next server restores it as it starts. The
// changed rows, and only they, are sent; and a saved cache older than the state (a server that died without saving)
// is not trusted: a row changed back to the values that cache remembers is still sent, unless the dead server's
// journal of its commits brings the saved cache up to the stored state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as pause } from 'node:timers/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import { createLogger } from '../../src/logger.ts';
import { postgresUnavailable } from '../kit/services.ts';
import { call } from '../kit/ferry-server.ts';
import { startFerryProcesses } from '../kit/ferry-processes.ts';
import { defaultMinimumSavedKeys } from '../../src/engine/model-sync/state/state-cache.ts';
import {
  contacts,
  createExecutionWorld,
  createSync,
  range,
  runToCompletion,
  sql,
  startExecution,
  syncRequest,
  waitForExecution,
  type ExecutionWorld,
  type FerryApi,
} from './model-sync-execution-kit.ts';

/** Runs the sync to completion; its counts, and how many rows' state the engine had to ask the store for (0: warm). */
async function runReporting(server: FerryApi, syncId: string) {
  const executionId = await startExecution(server, syncId);
  const execution = await waitForExecution(server.url, server.apiKey, syncId, executionId, { timeoutMs: 60_000 });
  assert.equal(execution.status, 'completed', JSON.stringify(execution));
  const log = await call(server.url, 'GET', `/api/syncs/${syncId}/executions/${executionId}/consolelog?limit=50`, {
    key: server.apiKey,
  });
  assert.equal(log.status, 200, log.text);
  const completed = (log.body.data.entries as Array<{ message: string; payload?: Record<string, unknown> }>).find(
    (entry) => entry.message === 'Model sync completed',
  );
  return { counts: execution.counts, keysFromStore: completed?.payload?.state_keys_from_store };
}

/** Waits until the directory holds a file of each of these endings. */
async function untilFiles(directory: string, endings: string[]): Promise<void> {
  const present = () => {
    const names = (() => {
      try {
        return readdirSync(directory);
      } catch {
        return [];
      }
    })();
    return endings.every((ending) => names.some((name) => name.endsWith(ending)));
  };
  for (let waited = 0; !present() && waited < 1000; waited += 1) await pause(20);
  assert.ok(present(), `${endings.join(' and ')} in ${directory}`);
}

/** A server on `dataDir` that can be stopped and started again (SQLite metadata, in-process worker). */
function restartableServer(dataDir: string) {
  const apiKey = `test-api-key-restart-${process.pid}`;
  const env = {
    FERRY_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    FERRY_BOOTSTRAP_PARTNER_KEY: `test-partner-key-restart-${process.pid}`,
    FERRY_BOOTSTRAP_API_KEY: apiKey,
    FERRY_SCHEDULER: 'false',
    // The world's webhook receiver listens on loopback.
    FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true',
  };
  let ferry: Ferry | undefined;
  return {
    async start() {
      ferry = await createFerry(loadConfig(env), { log: createLogger('silent') });
      return { url: await ferry.listen(), apiKey };
    },
    async stop() {
      await ferry?.close();
      ferry = undefined;
    },
  };
}

describe('model sync after a server restart', { skip: await postgresUnavailable() }, () => {
  test('the saved state cache is used only while it matches the stored state', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-restart-'));
    const { start, stop } = restartableServer(dataDir);
    const savedFiles = () => readdirSync(join(dataDir, 'state-cache'));
    let world: ExecutionWorld | undefined;
    try {
      let server = await start();
      world = await createExecutionWorld(server);
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
      const first = await runToCompletion(server, syncId);
      assert.equal(first.counts.insert, 25);
      await stop();
      assert.equal(savedFiles().length, 1, 'the stopping worker saved the sync');
      const [file] = savedFiles();
      const savedByFirst = readFileSync(join(dataDir, 'state-cache', file!));

      server = await start();
      await sql(world.source, `update people set name = 'Changed ' || id where id in (3, 17)`);
      const second = await runToCompletion(server, syncId);
      assert.deepEqual({ insert: second.counts.insert, update: second.counts.update }, { insert: 0, update: 2 });
      await stop();

      // As if the second server had died instead of stopping: the first server's file is what the disk holds.
      writeFileSync(join(dataDir, 'state-cache', file!), savedByFirst);
      server = await start();
      // The starting worker reads the saved caches back at once (StateCache.restore), not at the sync's first run: the
      // stale file is gone before any run asked for it.
      for (let waited = 0; savedFiles().length > 0 && waited < 500; waited += 1) await pause(10);
      assert.deepEqual(savedFiles(), [], 'the stale file was removed at the start');
      await sql(world.source, `update people set name = 'Person ' || id where id = 3`);
      await sql(world.source, `update people set plan = 'gold' where id = 9`);
      const third = await runToCompletion(server, syncId);
      assert.deepEqual({ insert: third.counts.insert, update: third.counts.update }, { insert: 0, update: 2 });
      const rows = new Map((await contacts(world)).map((row) => [row.email, row]));
      assert.equal(rows.get('p00003@x.com')?.full_name, 'Person 3', 'the row changed back reached the target');
      assert.equal(rows.get('p00017@x.com')?.full_name, 'Changed 17');
      assert.equal(rows.get('p00009@x.com')?.tier, 'gold');

      const quiet = await runToCompletion(server, syncId);
      assert.deepEqual({ insert: quiet.counts.insert, update: quiet.counts.update }, { insert: 0, update: 0 });
    } finally {
      await stop();
      await world?.remove();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test("after a crash the saved cache and the dead server's journal are used: the commits since are applied", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
    const { start, stop } = restartableServer(dataDir);
    const cacheDir = join(dataDir, 'state-cache');
    const disk = join(dataDir, 'as-the-crash-left-it');
    let world: ExecutionWorld | undefined;
    try {
      let server = await start();
      world = await createExecutionWorld(server);
      const syncId = await createSync(server, syncRequest(world, 'updateOrCreate', 'postgres'));
      assert.equal((await runToCompletion(server, syncId)).counts.insert, 25);
      await stop();

      // The next server restores the saved cache, runs, and dies: the disk holds the first save and this run's journal.
      server = await start();
      await sql(world.source, `update people set name = 'Changed ' || id where id in (3, 17)`);
      const second = await runToCompletion(server, syncId);
      assert.deepEqual({ insert: second.counts.insert, update: second.counts.update }, { insert: 0, update: 2 });
      for (let waited = 0; readdirSync(cacheDir).length < 2 && waited < 500; waited += 1) await pause(10);
      assert.equal(readdirSync(cacheDir).length, 2, 'the saved file and its journal');
      cpSync(cacheDir, disk, { recursive: true });
      await stop();
      rmSync(cacheDir, { recursive: true, force: true });
      cpSync(disk, cacheDir, { recursive: true });

      server = await start();
      // Row 3 changed back to what the saved file remembers: the journal says the state holds its change since.
      await sql(world.source, `update people set name = 'Person ' || id where id = 3`);
      const third = await runToCompletion(server, syncId);
      assert.deepEqual({ insert: third.counts.insert, update: third.counts.update }, { insert: 0, update: 1 });
      assert.ok(
        readdirSync(cacheDir).some((name) => name.endsWith('.state-cache')),
        'the saved file was used, not removed as stale',
      );
      const rows = new Map((await contacts(world)).map((row) => [row.email, row]));
      assert.equal(rows.get('p00003@x.com')?.full_name, 'Person 3', 'the row changed back reached the target');
      assert.equal(rows.get('p00017@x.com')?.full_name, 'Changed 17');
    } finally {
      await stop();
      await world?.remove();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a server killed (SIGKILL) after its runs, never stopped: the entry saved when the first run ended and the journal since make the next start warm', async () => {
    // SQLite metadata in the data dir, so the state and the saved cache live side by side as in an installation.
    const ferry = await startFerryProcesses({ LOG_LEVEL: 'warn', FERRY_SCHEDULER: 'false' }, 'sqlite');
    const cacheDir = join(ferry.dataDir, 'state-cache');
    const people = defaultMinimumSavedKeys + 200;
    let world: ExecutionWorld | undefined;
    try {
      const first = await ferry.serve({ withWorker: true });
      world = await createExecutionWorld(ferry, range(1, people));
      const syncId = await createSync(ferry, syncRequest(world, 'updateOrCreate', 'postgres'));
      const backfill = await runReporting(ferry, syncId);
      assert.equal(backfill.counts.insert, people);
      // Saved in the background once the run ended, with no stop.
      await untilFiles(cacheDir, ['.state-cache']);
      await sql(world.source, `update people set name = 'Changed ' || id where id in (3, 17)`);
      const second = await runReporting(ferry, syncId);
      assert.deepEqual(
        { update: second.counts.update, keysFromStore: second.keysFromStore },
        { update: 2, keysFromStore: 0 },
      );
      await untilFiles(cacheDir, ['.state-cache', '.state-journal']);
      await ferry.kill(first);

      await ferry.serve({ withWorker: true });
      // Row 3 changed back to what the saved file holds: only the journal says the state has its change since.
      await sql(world.source, `update people set name = 'Person ' || id where id = 3`);
      const afterCrash = await runReporting(ferry, syncId);
      assert.deepEqual(
        { insert: afterCrash.counts.insert, update: afterCrash.counts.update },
        { insert: 0, update: 1 },
        'the row changed back is sent',
      );
      assert.equal(afterCrash.keysFromStore, 0, `warm: no row's state asked of the store (cold: all ${people})`);
      const rows = new Map((await contacts(world)).map((row) => [row.email, row]));
      assert.equal(rows.get('p00003@x.com')?.full_name, 'Person 3');
      assert.equal(rows.get('p00017@x.com')?.full_name, 'Changed 17');
    } finally {
      await ferry.close();
      await world?.remove();
    }
  });
});
