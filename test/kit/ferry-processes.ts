// Real Ferry processes on one data dir and one metadata database, as an installation runs them: `ferry serve` (with
// its worker, or `--no-worker` for the API alone) and any number of `ferry worker` processes, each started,
// signalled, killed and awaited by the test (or the bench). The metadata is a scratch PostgreSQL database, or the
// SQLite file in the data dir. close() kills whatever still runs and removes the data dir and the scratch database.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Dialect } from './ferry-server.ts';
import { freePort } from './free-port.ts';
import { createPostgresDatabase, type ScratchDatabase } from './services.ts';

const ferryBin = join(process.cwd(), 'bin/ferry.js');

export interface FerryProcess {
  child: ChildProcess;
  /** When it was spawned (Date.now()). */
  spawnedAt: number;
  /** Resolves with the exit code (null when killed by a signal) and when it happened. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The process's log lines so far (JSON; LOG_LEVEL info unless the env says otherwise). */
  lines: string[];
  /** Resolves with the time (Date.now()) at which the first line containing `text` was logged. */
  logged(text: string): Promise<number>;
}

export interface FerryProcesses {
  url: string;
  apiKey: string;
  partnerKey: string;
  dataDir: string;
  /** The metadata database, to read the tables directly (postgres dialect only). */
  metadata: ScratchDatabase | undefined;
  /** Starts `ferry serve` (`--no-worker` unless withWorker) on the processes' port; resolves once it is healthy. */
  serve(options?: { withWorker?: boolean }): Promise<FerryProcess>;
  worker(env?: Record<string, string>): FerryProcess;
  /** SIGKILL (kill -9), resolved once the process is gone. */
  kill(process: FerryProcess): Promise<void>;
  close(): Promise<void>;
}

export async function startFerryProcesses(
  env: Record<string, string> = {},
  dialect: Dialect = 'postgres',
): Promise<FerryProcesses> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-processes-'));
  const metadata = dialect === 'postgres' ? await createPostgresDatabase('ferry_processes_meta') : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const apiKey = `processes-api-key-${process.pid}`;
  const partnerKey = `processes-partner-key-${process.pid}`;
  const baseEnv = {
    ...process.env,
    DATABASE_URL: metadata?.url ?? '',
    LOG_LEVEL: 'info',
    FERRY_DATA_DIR: dataDir,
    FERRY_SECRET_KEY: 'a'.repeat(64),
    FERRY_BOOTSTRAP_PARTNER_KEY: partnerKey,
    FERRY_BOOTSTRAP_API_KEY: apiKey,
    FERRY_ALLOW_PRIVATE_UPSTREAMS: 'true',
    // Whatever the caller's shell holds, the queue's timing is the default unless a test sets it.
    FERRY_QUEUE_LEASE_MS: '',
    FERRY_QUEUE_HEARTBEAT_MS: '',
    FERRY_WORKER_ID: '',
    ...env,
  };
  const children: ChildProcess[] = [];
  const spawnFerry = (args: string[], extraEnv: Record<string, string> = {}): FerryProcess => {
    const child = spawn(process.execPath, [ferryBin, ...args], {
      env: { ...baseEnv, ...extraEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines: string[] = [];
    const waiting: { text: string; resolve: (at: number) => void }[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      for (const wait of waiting.filter((candidate) => line.includes(candidate.text))) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve(Date.now());
      }
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    return {
      child,
      spawnedAt: Date.now(),
      exited,
      lines,
      logged: (text) =>
        lines.some((line) => line.includes(text))
          ? Promise.resolve(Date.now())
          : new Promise((resolve) => waiting.push({ text, resolve })),
    };
  };
  return {
    url,
    apiKey,
    partnerKey,
    dataDir,
    metadata,
    async serve({ withWorker = false } = {}) {
      const serve = spawnFerry([
        'serve',
        ...(withWorker ? [] : ['--no-worker']),
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
      ]);
      for (let attempt = 0; attempt < 600; attempt += 1) {
        if (serve.child.exitCode !== null) throw new Error(`ferry serve exited with ${serve.child.exitCode}`);
        if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) return serve;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('ferry serve did not become healthy');
    },
    worker: (extraEnv = {}) => spawnFerry(['worker'], extraEnv),
    async kill({ child }) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    },
    async close() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      }
      await metadata?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once a worker process has logged that it runs (its queue is claiming). */
export async function workerRunning(worker: FerryProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!worker.lines.some((line) => line.includes('worker running'))) {
    if (worker.child.exitCode !== null) throw new Error(`ferry worker exited with ${worker.child.exitCode}`);
    if (Date.now() > deadline) throw new Error('ferry worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
