// Parent side of the two kinds of server under test: Ferry on a fresh data dir or scratch PostgreSQL database
// with known bootstrap keys, and the bare Fastify baseline. stop() also removes what start made.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, type ScratchDatabase } from '../../test/kit/services.ts';
import { forkServer, type ForkServerOptions } from '../lib/server-child.ts';
import type { FerryChildDetails } from './ferry-child.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Target<Details> {
  pid: number;
  url: string;
  details: Details;
  /** Stops the server, removes its data, returns its peak RSS in bytes. */
  stop(): Promise<number | undefined>;
}

export interface FerryTarget extends Target<FerryChildDetails> {
  apiKey: string;
}

const ferryChild = new URL('./ferry-child.ts', import.meta.url).pathname;
const bareChild = new URL('./bare-child.ts', import.meta.url).pathname;

export interface FerryTargetOptions extends Pick<ForkServerOptions, 'cpuProfileDir'> {
  /** Diagnostic: answer the API key lookup and the bootstrap user's entity lookup from memory (see ferry-child.ts). */
  lookupsFromMemory?: boolean;
  /** Connections stored in the bootstrap organization before the server listens (the list scenarios). */
  seedConnections?: number;
  /** Connections, bulk syncs and model syncs made in the bootstrap organization (the resource-read scenarios). */
  seedResources?: number;
}

export async function startFerryTarget(dialect: Dialect, options: FerryTargetOptions = {}): Promise<FerryTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
  let scratch: ScratchDatabase | undefined;
  const cleanup = async () => {
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    if (dialect === 'postgres') scratch = await createPostgresDatabase('ferry_bench');
    const apiKey = `bench-api-key-${randomBytes(16).toString('hex')}`;
    const child = await forkServer<FerryChildDetails>(ferryChild, {
      cpuProfileDir: options.cpuProfileDir,
      env: {
        BENCH_LOOKUPS_FROM_MEMORY: options.lookupsFromMemory ? '1' : '0',
        BENCH_SEED_CONNECTIONS: String(options.seedConnections ?? 0),
        BENCH_SEED_RESOURCES: String(options.seedResources ?? 0),
        FERRY_DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        // Info level writes a line per start-up step only, but warn is what a tuned deployment runs, and the
        // benchmark must not measure stdout.
        LOG_LEVEL: 'warn',
        FERRY_BOOTSTRAP_PARTNER_KEY: `bench-partner-key-${randomBytes(16).toString('hex')}`,
        FERRY_BOOTSTRAP_API_KEY: apiKey,
        DATABASE_URL: scratch ? postgresUrl(scratch.url) : '',
      },
    });
    return {
      ...child,
      apiKey,
      async stop() {
        try {
          return await child.stop();
        } finally {
          await cleanup();
        }
      },
    };
  } catch (error: unknown) {
    await cleanup();
    throw error;
  }
}

/**
 * BENCH_API_PG_SOCKET=<directory> (e.g. /var/run/postgresql) reaches the scratch database over its Unix socket instead
 * of TCP: a deployment choice when PostgreSQL runs on the same host, measured as a diagnostic.
 */
function postgresUrl(url: string): string {
  const socketDirectory = process.env.BENCH_API_PG_SOCKET;
  if (!socketDirectory) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('host', socketDirectory); // pg takes the query's host over the URL's
  return parsed.toString();
}

/** routes: Fastify path → the exact response text to send. */
export async function startBareTarget(
  routes: Record<string, string>,
  options: Pick<ForkServerOptions, 'cpuProfileDir'> = {},
): Promise<Target<Record<string, never>>> {
  const directory = mkdtempSync(join(tmpdir(), 'ferry-bench-bare-'));
  const routesFile = join(directory, 'routes.json');
  writeFileSync(routesFile, JSON.stringify(routes));
  const cleanup = () => rmSync(directory, { recursive: true, force: true });
  try {
    const child = await forkServer<Record<string, never>>(bareChild, {
      ...options,
      env: { BARE_ROUTES_FILE: routesFile },
    });
    return {
      ...child,
      async stop() {
        try {
          return await child.stop();
        } finally {
          cleanup();
        }
      },
    };
  } catch (error: unknown) {
    cleanup();
    throw error;
  }
}
