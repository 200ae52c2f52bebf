// Starts a real Ferry (HTTP on 127.0.0.1, a random port) on a fresh SQLite data dir or a scratch PostgreSQL
// database, with known bootstrap keys. close() stops the server and removes what it made.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import type pino from 'pino';
import { createLogger } from '../../src/logger.ts';
import { createPostgresDatabase, type ScratchDatabase } from './services.ts';
import type { ReadBack } from './read-back.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface TestFerry {
  ferry: Ferry;
  url: string;
  partnerKey: string;
  apiKey: string;
  organizationId: string;
  userId: string;
  close(): Promise<void>;
}

let counter = 0;

export interface StartFerryOptions {
  /** The clock the server decides by; test/kit's fake clock makes schedules and retention testable. */
  clock?: Clock;
  /** Where the server logs; by default a pino logger at FERRY_TEST_LOG_LEVEL (silent unless set). */
  log?: pino.Logger;
  /** false: no worker role (no queue worker, no scheduler), as `serve --no-worker`. */
  worker?: boolean;
}

export async function startFerry(
  dialect: Dialect = 'sqlite',
  env: Record<string, string> = {},
  options: StartFerryOptions = {},
): Promise<TestFerry> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-test-'));
  let scratch: ScratchDatabase | undefined;
  if (dialect === 'postgres') scratch = await createPostgresDatabase('ferry_api');
  counter += 1;
  const partnerKey = `test-partner-key-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`;
  const apiKey = `test-api-key-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`;
  const config = loadConfig(
    {
      FERRY_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      FERRY_BOOTSTRAP_PARTNER_KEY: partnerKey,
      FERRY_BOOTSTRAP_API_KEY: apiKey,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      // Off unless a test turns it on (FERRY_SCHEDULER: 'true'): a test's continuous sync must not start by itself.
      FERRY_SCHEDULER: 'false',
      ...env,
    },
    options.worker === undefined ? {} : { worker: options.worker },
  );
  let ferry: Ferry;
  let url: string;
  try {
    ferry = await createFerry(config, {
      log: options.log ?? createLogger(process.env.FERRY_TEST_LOG_LEVEL ?? 'silent'),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    url = await ferry.listen().catch(async (error: unknown) => {
      await ferry.close();
      throw error;
    });
  } catch (error) {
    // A failed start must not leave its scratch database or data dir behind.
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ferry,
    url,
    partnerKey,
    apiKey,
    organizationId: ferry.bootstrap!.organizationId,
    userId: ferry.bootstrap!.userId,
    async close() {
      await ferry.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CallOptions {
  key?: string;
  version?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: ReadBack;
  text: string;
}

/** One HTTP call with fetch; the body is parsed as JSON when it is JSON. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.version) headers['x-polytomic-version'] = options.version;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** The dialects this machine offers: SQLite always, PostgreSQL when reachable. */
export async function availableDialects(): Promise<Dialect[]> {
  const { postgresUnavailable } = await import('./services.ts');
  const reason = await postgresUnavailable();
  if (reason) console.log(`# PostgreSQL dialect skipped: ${reason}`);
  return reason ? ['sqlite'] : ['sqlite', 'postgres'];
}
