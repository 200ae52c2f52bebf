// Liveness and readiness, for load balancers and orchestrators. Alive: the process answers. Ready: the database
// answers, its schema is the one this build expects, and the worker role runs where this process should run it.
// The answer names each check and a fixed reason, never an error text: both routes are open to anyone who can reach
// the port, so they carry nothing about tenants or internals (details go to the log).
import { sql } from 'kysely';
import type pino from 'pino';
import type { MetadataDatabase } from '../persistence/database.ts';
import { pendingMigrations } from '../persistence/migrate.ts';

type CheckName = 'database' | 'migrations' | 'worker';

interface CheckResult {
  ok: boolean;
  /** Why a check failed, in a few fixed words. */
  reason?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Partial<Record<CheckName, CheckResult>>;
  /** The failing checks, in check order. */
  failing: CheckName[];
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export interface ReadinessOptions {
  database: Pick<MetadataDatabase, 'db'>;
  log: Pick<pino.Logger, 'warn'>;
  /** Whether this process should run the worker role (serve without --no-worker, or `ferry worker`). */
  workerExpected: boolean;
  /** Whether the worker role is running now. */
  workerRunning: () => boolean;
  /** A check slower than this fails (a database that hangs is not ready). Default 2 s. */
  timeoutMs?: number;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Real time on purpose: this bounds real I/O, which a test's fake clock does not drive.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    async check() {
      const checks: ReadinessReport['checks'] = {};
      try {
        await withTimeout(sql`select 1`.execute(options.database.db), timeoutMs);
        checks.database = { ok: true };
      } catch (error) {
        options.log.warn({ err: error }, 'readiness: the database did not answer');
        checks.database = { ok: false, reason: 'unreachable' };
      }
      if (checks.database.ok) {
        try {
          const pending = await withTimeout(pendingMigrations(options.database), timeoutMs);
          checks.migrations = pending.length
            ? { ok: false, reason: `${pending.length} pending; run ferry migrate` }
            : { ok: true };
        } catch (error) {
          options.log.warn({ err: error }, 'readiness: reading the applied migrations failed');
          checks.migrations = { ok: false, reason: 'unreadable' };
        }
      } else {
        checks.migrations = { ok: false, reason: 'database unreachable' };
      }
      if (options.workerExpected) {
        checks.worker = options.workerRunning() ? { ok: true } : { ok: false, reason: 'not running' };
      }
      const failing = (Object.keys(checks) as CheckName[]).filter((name) => !checks[name]!.ok);
      return { ready: failing.length === 0, checks, failing };
    },
  };
}

/** The /readyz answer: 200 when ready, else 503 naming the failing checks. */
export function readinessResponse(report: ReadinessReport): { status: number; body: Record<string, unknown> } {
  return {
    status: report.ready ? 200 : 503,
    body: {
      status: report.ready ? 'ready' : 'not_ready',
      ...(report.ready ? {} : { failing: report.failing }),
      checks: report.checks,
    },
  };
}
