// The server under test runs in its own process, so that the load generator (autocannon, in the parent) does
// not share its event loop or its core. Both halves of the protocol live here:
//   parent: forkServer(module) → waits for { type: 'ready' } → … load … → stop() sends { type: 'stop' };
//   child:  serveInChild(start) → starts, reports its URL, closes cleanly on 'stop' (so --cpu-prof is written).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startPeakRssSampler } from './peak-rss.ts';

interface ReadyMessage<Details> {
  type: 'ready';
  url: string;
  details: Details;
}

type ParentMessage = { type: 'stop' };

export interface ForkServerOptions {
  /** Extra environment for the child, on top of this process's. */
  env?: Record<string, string>;
  /** When set, the child writes a V8 CPU profile (.cpuprofile) into this directory on exit. */
  cpuProfileDir?: string;
  /** How long start-up may take. Default 60 s (a first PostgreSQL migration takes a few seconds). */
  readyTimeoutMs?: number;
}

export interface ServerChild<Details> {
  pid: number;
  url: string;
  details: Details;
  /** Stops the child and returns its peak RSS in bytes (undefined when it could not be read). */
  stop(): Promise<number | undefined>;
}

export async function forkServer<Details>(
  modulePath: string,
  options: ForkServerOptions = {},
): Promise<ServerChild<Details>> {
  const execArgv = ['--import', 'tsx'];
  if (options.cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child: ChildProcess = fork(modulePath, [], {
    execArgv,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let ready: ReadyMessage<Details>;
  try {
    ready = await new Promise<ReadyMessage<Details>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${modulePath} did not report ready within ${options.readyTimeoutMs ?? 60_000} ms`)),
        options.readyTimeoutMs ?? 60_000,
      );
      child.on('message', (message: ReadyMessage<Details>) => {
        if (message?.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message);
      });
      exited.then(([code, signal]) => {
        clearTimeout(timer);
        reject(new Error(`${modulePath} exited before it was ready (code ${code}, signal ${signal})`));
      }, reject);
    });
  } catch (error: unknown) {
    child.kill('SIGKILL');
    throw error;
  }
  const sampler = startPeakRssSampler(child.pid!);
  return {
    pid: child.pid!,
    url: ready.url,
    details: ready.details,
    async stop() {
      const peak = sampler.stop();
      if (child.exitCode !== null || child.signalCode !== null) return peak;
      child.send({ type: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      return peak;
    },
  };
}

export interface StartedServer<Details> {
  url: string;
  details: Details;
  close(): Promise<void>;
}

/** The child's half: start the server, report ready, close and exit when the parent says stop (or goes away). */
export async function serveInChild<Details>(start: () => Promise<StartedServer<Details>>): Promise<void> {
  if (!process.send) throw new Error('serveInChild must run in a process forked with an IPC channel');
  const server = await start();
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    try {
      await server.close();
    } catch (error: unknown) {
      console.error('server child: close failed', error);
      process.exitCode = 1;
    }
    // Exit explicitly: a lingering pool timer must not keep the child alive, and --cpu-prof is written on exit.
    process.exit();
  };
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'stop') void shutdown();
  });
  // A parent that crashes closes the channel: do not linger as an orphan holding a port or a scratch database.
  process.on('disconnect', () => void shutdown());
  process.send({ type: 'ready', url: server.url, details: server.details } satisfies ReadyMessage<Details>);
}
