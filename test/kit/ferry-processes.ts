// Real Ferry processes on one metadata database, as a scaled-out installation runs them: one `ferry serve
// --no-worker` for the API and any number of `ferry worker` processes, each started, signalled and awaited by the
// test (or the bench). close() stops whatever still runs and removes the data dir and the scratch database.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './free-port.ts';
import { createPostgresDatabase, type ScratchDatabase } from './services.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and when it happened. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The process's log lines so far (JSON, LOG_LEVEL info unless the env says otherwise). */
  lines: string[];
}

export interface FerryProcesses {
  url: string;
  apiKey: string;
  partnerKey: string;
  /** The metadata database, to read the executions tables directly. */
  metadata: ScratchDatabase;
  serve(): Promise<void>;
  worker(env?: Record<string, string>): WorkerProcess;
  close(): Promise<void>;
}

export async function startFerryProcesses(env: Record<string, string> = {}): Promise<FerryProcesses> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-processes-'));
  const metadata = await createPostgresDatabase('ferry_processes_meta');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiKey = `processes-api-key-${process.pid}`;
  const partnerKey = `processes-partner-key-${process.pid}`;
  const baseEnv = {
    ...process.env,
    DATABASE_URL: metadata.url,
    LOG_LEVEL: 'info',
    FERRY_DATA_DIR: dataDir,
    FERRY_SECRET_KEY: 'a'.repeat(64),
    FERRY_BOOTSTRAP_PARTNER_KEY: partnerKey,
    FERRY_BOOTSTRAP_API_KEY: apiKey,
    FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true',
    ...env,
  };
  const children: ChildProcess[] = [];
  const track = (child: ChildProcess): WorkerProcess => {
    children.push(child);
    const lines: string[] = [];
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    return { child, exited, lines };
  };
  return {
    url,
    apiKey,
    partnerKey,
    metadata,
    async serve() {
      const { child } = track(
        spawn(process.execPath, [ferryBin, 'serve', '--no-worker', '--port', String(port), '--host', '127.0.0.1'], {
          env: baseEnv,
          stdio: 'ignore',
        }),
      );
      for (let attempt = 0; attempt < 600; attempt += 1) {
        if (child.exitCode !== null) throw new Error(`ferry serve exited with ${child.exitCode}`);
        if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('ferry serve did not become healthy');
    },
    worker(extraEnv = {}) {
      return track(
        spawn(process.execPath, [ferryBin, 'worker'], {
          env: { ...baseEnv, ...extraEnv },
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      );
    },
    async close() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      }
      await metadata.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once a worker process has logged that it runs (its queue is claiming). */
export async function workerRunning(worker: WorkerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.lines.some((line) => line.includes('worker running'))) {
    if (worker.child.exitCode !== null) throw new Error(`ferry worker exited with ${worker.child.exitCode}`);
    if (Date.now() > deadline) throw new Error('ferry worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
