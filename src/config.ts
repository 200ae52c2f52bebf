// Environment and flags → one typed configuration. This file is the home of every setting an operator may tune
// (environment variables, flags) and of its default, and of the defaults of operator-level tunables that have no
// variable yet (ferryDefaults), so that one page answers "what can I change and what is it now". The queue's
// defaults live in src/queue/job-queue.ts (queueDefaults) and are read here. Not here: constants that are not
// choices but facts of a protocol or of the API (PostgreSQL's 63-byte identifier limit, the proxy's body caps, the
// 10 s limit of a synchronous model sample, page sizes and test row limits), which stay beside the code that obeys
// them, and a connector's own driver settings (pool size, busy timeout), which belong to its connection.
import { availableParallelism, hostname } from 'node:os';
import { resolve } from 'node:path';
import { CONTINUOUS_MINIMUM_GAP_MS } from './domain/schedules/next-run.ts';
import { queueDefaults } from './queue/job-queue.ts';
import { assertLeaseSettings, defaultHeartbeatIntervalMs } from './queue/lease-heartbeat.ts';
import { workerIdPattern } from './queue/worker-slot.ts';
import { parseVersionSunsets, type VersionSunsets } from './api/versioning/deprecation.ts';

/**
 * Defaults of tunables, read by loadConfig and by the modules that fall back to them when they are built without a
 * configuration (tests, bench, one-off tools). Each says where it is used.
 */
export const ferryDefaults = {
  /**
   * The connection proxy's tunable limits (src/proxy/proxy-limits.ts, which keeps the specified body caps): the
   * upstream timeout the API specifies, and rate limits of Ferry's choosing (the API names no number).
   */
  proxy: {
    timeoutMs: 30_000,
    connectionRateLimitPerMinute: 60,
    organizationRateLimitPerMinute: 300,
  },
  /** Bulk copies (src/engine/bulk/bulk-sync-plan.ts): schemas at once, rows per record batch, rows per COPY chunk. */
  bulk: {
    /** Each PostgreSQL connection pools 5 clients, so 3 schemas at once leave room for the describe queries. */
    concurrency: 3,
    batchSize: 5000,
    copyChunkSize: 100_000,
    /**
     * Ranges of one big table copied at once on the COPY path (FERRY_BULK_RANGES), one per core up to 4: each range
     * runs a source and a destination backend, and 4 leaves a PostgreSQL connection's pool of 5 a spare client.
     */
    rangeParallelism: Math.max(1, Math.min(4, availableParallelism())),
    /** Tables with more rows than this are split into ranges (FERRY_BULK_SPLIT_ROWS). */
    splitAboveRows: 500_000,
  },
  /** Model-sync state kept in memory per worker (FERRY_STATE_CACHE_MB), in bytes. */
  stateCacheBytes: 128 * 1024 * 1024,
  /** Rendered JSON of stored resources kept per API process (FERRY_WIRE_CACHE_MB), in bytes. */
  wireJsonCacheBytes: 64 * 1024 * 1024,
  /**
   * State keys a model-sync run loads whole before diffing, when the sync's state is at most this big
   * (src/engine/model-sync/state/state-cache.ts); larger states are diffed in the store batch by batch.
   */
  preloadStateKeys: 500_000,
  /** Stored query results (src/services/query-runner.ts): kept 1 hour, 10,000 rows a run, 500 rows a page. */
  queries: { retentionMs: 60 * 60 * 1000, maxRows: 10_000, pageSize: 500 },
  /** An in-flight Idempotency-Key claim older than this belongs to a process that died (src/api/idempotency.ts). */
  idempotencyAbandonedAfterMs: 5 * 60 * 1000,
  /** The worker role (src/worker/worker.ts). */
  worker: {
    /** Executions one worker process runs at once (FERRY_WORKER_CONCURRENCY). */
    concurrency: 4,
    /**
     * How long a stopping worker (SIGTERM, SIGINT) lets its running executions go on before it interrupts them and
     * hands them back to the queue (FERRY_WORKER_SHUTDOWN_GRACE_MS). 0: at once; they checkpoint, and another
     * worker resumes them.
     */
    shutdownGraceMs: 0,
    /** How long an execution whose organization is at its limit (FERRY_ORGANIZATION_CONCURRENCY) waits to try again. */
    organizationLimitRetryMs: 3_000,
  },
  connectionTestTimeoutMs: 15_000,
  credentialCacheTtlMs: 10_000,
  entityCacheTtlMs: 1_000,
  /** No older API version has a sunset date unless FERRY_VERSION_SUNSET names one (src/api/versioning/deprecation.ts). */
  versionSunsets: {},
  /** Events and webhook delivery records are kept this long (FERRY_EVENT_RETENTION_HOURS), as Polytomic keeps events. */
  eventRetentionHours: 48,
  /** How often old events are pruned (src/services/event-retention.ts). */
  eventPruneIntervalMs: 10 * 60 * 1000,
  /**
   * Webhook delivery retries (src/worker/webhook-delivery-task.ts): exponential from this base with full jitter,
   * capped (FERRY_WEBHOOK_RETRY_BASE_MS).
   */
  webhookRetry: { baseDelayMs: 10_000, maxDelayMs: 10 * 60 * 1000 },
  /** A sync that keeps failing emails its subscribers at most once in this window. */
  failureEmailWindowMs: 60 * 60 * 1000,
  /** Change capture (docs/change-capture.md). */
  changeCapture: {
    /** A WARN console line when a stream's retained log is further behind than this (FERRY_CDC_LAG_WARN_BYTES). */
    lagWarnBytes: 1024 * 1024 * 1024,
    /** Least time between two `Applied …` console lines of one stream. */
    statusIntervalMs: 5_000,
    /** How often a worker-role process drops the streams of deleted syncs. */
    sweepIntervalMs: 10 * 60 * 1000,
  },
} as const;

export interface FerryConfig {
  /** HTTP port. Env PORT, flag --port. Default 8080. */
  port: number;
  /** Address to listen on. Env HOST, flag --host. Default 0.0.0.0 (all interfaces). */
  host: string;
  /** Where SQLite data, the generated secret key file and log files live. Env FERRY_DATA_DIR. Default ./data. */
  dataDir: string;
  /** Unset → SQLite at <dataDir>/ferry.db; postgres://… → PostgreSQL. Env DATABASE_URL. */
  databaseUrl: string | undefined;
  /** 32-byte key (base64 or 64 hex chars) for secrets at rest. Env FERRY_SECRET_KEY. Unset → a key file in dataDir. */
  secretKey: string | undefined;
  /** On first start with an empty database, used as the partner key. Env FERRY_BOOTSTRAP_PARTNER_KEY. */
  bootstrapPartnerKey: string | undefined;
  /** On first start with an empty database, used as the admin user's API key. Env FERRY_BOOTSTRAP_API_KEY. */
  bootstrapApiKey: string | undefined;
  /** Run the in-process worker next to the API. Flag --no-worker turns it off. Default true. */
  worker: boolean;
  /**
   * Run the scheduler in processes with the worker role (docs/schedules.md, "The scheduler"). Env FERRY_SCHEDULER
   * (`false` turns it off). Default true.
   */
  scheduler: boolean;
  /** The longest the scheduler sleeps before it looks for new or changed schedules. Env FERRY_SCHEDULER_POLL_MS. Default 5 s. */
  schedulerPollMs: number;
  /**
   * How long after a continuous sync's run finishes the next one starts. Env FERRY_CONTINUOUS_GAP_MS. Default 60 s
   * (CONTINUOUS_MINIMUM_GAP_MS), so a failing or empty sync does not spin.
   */
  continuousGapMs: number;
  /** pino level. Env LOG_LEVEL. Default info. */
  logLevel: string;
  /** How long an Idempotency-Key is remembered. 24 h, as the Polytomic docs state. */
  idempotencyTtlMs: number;
  /** Public base URL used in signed links (logs, connect cards). Env FERRY_PUBLIC_URL. Default http://localhost:<port>. */
  publicUrl: string;
  /** False when publicUrl is the default; then it follows the address the server actually listens on. */
  publicUrlExplicit: boolean;
  /**
   * Let HTTP connectors (api, webhook, the connection proxy) reach private, loopback and link-local addresses.
   * Cloud metadata addresses are refused regardless. Env FERRY_ALLOW_PRIVATE_UPSTREAMS=true. Default false.
   */
  allowPrivateUpstreams: boolean;
  /** How long a connection test may take before it is reported as a timeout. 15 s. */
  connectionTestTimeoutMs: number;
  /** Connection proxy calls per minute per connection. Env FERRY_PROXY_CONNECTION_RATE_LIMIT. Default 60. */
  proxyConnectionRateLimitPerMinute: number;
  /** Connection proxy calls per minute per organization. Env FERRY_PROXY_ORGANIZATION_RATE_LIMIT. Default 300. */
  proxyOrganizationRateLimitPerMinute: number;
  /** Connection proxy upstream timeout. Env FERRY_PROXY_TIMEOUT_MS. Default 30 s, the limit the API specifies for proxied calls. */
  proxyTimeoutMs: number;
  /**
   * How long an authenticated key is remembered in memory. A key revoked by another process stops working within
   * this time (in the same process, at once). Env FERRY_CREDENTIAL_CACHE_MS; 0 turns the cache off. Default 10 s.
   */
  credentialCacheTtlMs: number;
  /**
   * How long the entity lookup serves a found entity from memory. This process's writes clear it at once; another
   * process's change shows within this time. Env FERRY_ENTITY_CACHE_MS; 0 turns the cache off. Default 1 s.
   */
  entityCacheTtlMs: number;
  /**
   * What a worker process may keep in memory of model syncs' change-detection state between runs, in bytes (estimated),
   * so that a run diffs its unchanged rows without asking the database (engine/model-sync/state/state-cache.ts).
   * Env FERRY_STATE_CACHE_MB; 0 turns the cache off. Default 128 MB.
   */
  stateCacheBytes: number;
  /**
   * What an API process may keep of the JSON it rendered for stored bulk syncs, model syncs and connections, in bytes
   * (estimated), reused while a row reads back unchanged (src/api/wire-json-cache.ts). Env FERRY_WIRE_CACHE_MB; 0
   * turns the cache off. Default 64 MB.
   */
  wireJsonCacheBytes: number;
  /**
   * How long a queued job stays claimed without its worker renewing the lease. An execution whose worker was killed
   * resumes on another worker after this (the same worker, restarted, resumes it at once). Env FERRY_QUEUE_LEASE_MS.
   * Default 20 s.
   */
  queueLeaseMs: number;
  /** Serve Prometheus metrics. Env FERRY_METRICS=false turns /metrics off (counting goes on). Default true. */
  metricsEnabled: boolean;
  /**
   * Serve /metrics (with /healthz and /readyz) on this port instead of the API port; `ferry worker` is scrapeable
   * only this way. Env FERRY_METRICS_PORT. Default unset: /metrics on the API port.
   */
  metricsPort: number | undefined;
  /** How often a worker renews the leases of its jobs; at most half the lease. Env FERRY_QUEUE_HEARTBEAT_MS. Default 5 s. */
  queueHeartbeatMs: number;
  /**
   * The worker's identity across restarts: a restarted worker releases at once what it held when it died. Env
   * FERRY_WORKER_ID. Default: on SQLite `local` (every process on the file is on this machine); on PostgreSQL the
   * host name. Two live processes with one id are safe: each locks its own slot of it (`<id>`, `<id>#2`, …).
   */
  workerId: string;
  /** Executions one worker process runs at once. Env FERRY_WORKER_CONCURRENCY. Default 4. */
  workerConcurrency: number;
  /**
   * Ranges of one large table a bulk copy between two PostgreSQL connections runs at once; a sync's
   * concurrency_limit caps it. Env FERRY_BULK_RANGES. Default: the cores, at most 4.
   */
  bulkRangeParallelism: number;
  /** Tables with more rows than this are copied in ranges. Env FERRY_BULK_SPLIT_ROWS. Default 500,000. */
  bulkSplitAboveRows: number;
  /**
   * At most this many executions (bulk and model syncs together) of one organization run at once, across every
   * worker of the installation; the others wait their turn without using up an attempt, so that one tenant's backlog
   * does not starve another's. Env FERRY_ORGANIZATION_CONCURRENCY. Default unset: no limit.
   */
  organizationConcurrency: number | undefined;
  /**
   * On SIGTERM/SIGINT, how long running executions may go on before the worker interrupts them: they checkpoint and
   * go back to the queue, and another worker resumes them. Env FERRY_WORKER_SHUTDOWN_GRACE_MS. Default 0 (at once).
   */
  workerShutdownGraceMs: number;
  /**
   * Change capture warns (console log, process log, the sync status) when a stream is more than this many bytes
   * behind the source's log. Env FERRY_CDC_LAG_WARN_BYTES. Default 1 GiB.
   */
  changeCaptureLagWarnBytes: number;
  /**
   * The date after which each older API version may no longer be served, sent as `Sunset` on its responses. Env
   * FERRY_VERSION_SUNSET, e.g. `2024-02-08=2027-06-30,2023-04-25=2027-01-01`. Default: none.
   */
  versionSunsets: VersionSunsets;
  /** How long events and webhook delivery records are kept. Env FERRY_EVENT_RETENTION_HOURS. Default 48. */
  eventRetentionHours: number;
  /** First retry delay of a webhook delivery, doubled per attempt, with jitter. Env FERRY_WEBHOOK_RETRY_BASE_MS. Default 10 s. */
  webhookRetryBaseMs: number;
  /** smtp:// or smtps:// URL for failure emails. Env FERRY_SMTP_URL. Unset: no emails. */
  smtpUrl: string | undefined;
  /** The sender of failure emails. Env FERRY_SMTP_FROM. Default ferry@localhost. */
  smtpFrom: string;
}

export interface ConfigOverrides {
  port?: number | string;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  secretKey?: string;
  bootstrapPartnerKey?: string;
  bootstrapApiKey?: string;
  worker?: boolean;
  logLevel?: string;
  publicUrl?: string;
  allowPrivateUpstreams?: boolean;
}

function parsePort(value: string | number | undefined, fallback: number, name = 'PORT'): number {
  if (value === undefined || value === '') return fallback;
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be an integer from 0 to 65535, got ${value}`);
  return port;
}

/** A size given in MB as bytes; unset or empty is the default (in bytes), 0 is 0. */
function megabytes(value: string | undefined, fallbackBytes: number, name: string): number {
  if (value === undefined || value === '') return fallbackBytes;
  return value === '0' ? 0 : positiveInteger(value, 0, name) * 1024 * 1024;
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  return number;
}

function nonNegativeInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`${name} must be an integer of 0 or more, got ${value}`);
  return number;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function workerIdentity(value: string | undefined, databaseUrl: string | undefined): string {
  const explicit = nonEmpty(value);
  if (explicit !== undefined) {
    if (!workerIdPattern.test(explicit))
      throw new Error(
        `FERRY_WORKER_ID must be 1–100 letters, digits or ._:@- (starting with a letter or digit), got ${explicit}`,
      );
    return explicit;
  }
  if (!databaseUrl) return 'local';
  // A host name may hold characters that a worker id may not; they become '-'.
  const host = hostname()
    .replace(/[^A-Za-z0-9._:@-]/g, '-')
    .slice(0, 100);
  return workerIdPattern.test(host) ? host : 'host';
}

/** Flags win over environment variables, which win over defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): FerryConfig {
  const port = parsePort(overrides.port ?? env.PORT, 8080);
  const databaseUrl = nonEmpty(overrides.databaseUrl ?? env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for embedded SQLite)');
  }
  const queueLeaseMs = positiveInteger(env.FERRY_QUEUE_LEASE_MS, queueDefaults.leaseMs, 'FERRY_QUEUE_LEASE_MS');
  const queueHeartbeatMs = positiveInteger(
    env.FERRY_QUEUE_HEARTBEAT_MS,
    defaultHeartbeatIntervalMs(queueLeaseMs, queueDefaults.heartbeatIntervalMs),
    'FERRY_QUEUE_HEARTBEAT_MS',
  );
  assertLeaseSettings(queueLeaseMs, queueHeartbeatMs);
  return {
    port,
    host: overrides.host ?? env.HOST ?? '0.0.0.0',
    dataDir: resolve(overrides.dataDir ?? env.FERRY_DATA_DIR ?? './data'),
    databaseUrl,
    secretKey: nonEmpty(overrides.secretKey ?? env.FERRY_SECRET_KEY),
    bootstrapPartnerKey: nonEmpty(overrides.bootstrapPartnerKey ?? env.FERRY_BOOTSTRAP_PARTNER_KEY),
    bootstrapApiKey: nonEmpty(overrides.bootstrapApiKey ?? env.FERRY_BOOTSTRAP_API_KEY),
    worker: overrides.worker ?? true,
    scheduler: !/^(0|false|no|off)$/i.test(env.FERRY_SCHEDULER ?? ''),
    schedulerPollMs: positiveInteger(env.FERRY_SCHEDULER_POLL_MS, 5_000, 'FERRY_SCHEDULER_POLL_MS'),
    continuousGapMs: positiveInteger(env.FERRY_CONTINUOUS_GAP_MS, CONTINUOUS_MINIMUM_GAP_MS, 'FERRY_CONTINUOUS_GAP_MS'),
    logLevel: overrides.logLevel ?? env.LOG_LEVEL ?? 'info',
    idempotencyTtlMs: 24 * 60 * 60 * 1000,
    allowPrivateUpstreams:
      overrides.allowPrivateUpstreams ?? /^(1|true|yes)$/i.test(env.FERRY_ALLOW_PRIVATE_UPSTREAMS ?? ''),
    connectionTestTimeoutMs: ferryDefaults.connectionTestTimeoutMs,
    proxyConnectionRateLimitPerMinute: positiveInteger(
      env.FERRY_PROXY_CONNECTION_RATE_LIMIT,
      ferryDefaults.proxy.connectionRateLimitPerMinute,
      'FERRY_PROXY_CONNECTION_RATE_LIMIT',
    ),
    proxyOrganizationRateLimitPerMinute: positiveInteger(
      env.FERRY_PROXY_ORGANIZATION_RATE_LIMIT,
      ferryDefaults.proxy.organizationRateLimitPerMinute,
      'FERRY_PROXY_ORGANIZATION_RATE_LIMIT',
    ),
    proxyTimeoutMs: positiveInteger(
      env.FERRY_PROXY_TIMEOUT_MS,
      ferryDefaults.proxy.timeoutMs,
      'FERRY_PROXY_TIMEOUT_MS',
    ),
    metricsEnabled: !/^(0|false|no|off)$/i.test(env.FERRY_METRICS ?? ''),
    metricsPort:
      nonEmpty(env.FERRY_METRICS_PORT) === undefined
        ? undefined
        : parsePort(env.FERRY_METRICS_PORT, 0, 'FERRY_METRICS_PORT'),
    queueLeaseMs,
    queueHeartbeatMs,
    workerId: workerIdentity(env.FERRY_WORKER_ID, databaseUrl),
    credentialCacheTtlMs:
      env.FERRY_CREDENTIAL_CACHE_MS === '0'
        ? 0
        : positiveInteger(
            env.FERRY_CREDENTIAL_CACHE_MS,
            ferryDefaults.credentialCacheTtlMs,
            'FERRY_CREDENTIAL_CACHE_MS',
          ),
    entityCacheTtlMs:
      env.FERRY_ENTITY_CACHE_MS === '0'
        ? 0
        : positiveInteger(env.FERRY_ENTITY_CACHE_MS, ferryDefaults.entityCacheTtlMs, 'FERRY_ENTITY_CACHE_MS'),
    stateCacheBytes: megabytes(env.FERRY_STATE_CACHE_MB, ferryDefaults.stateCacheBytes, 'FERRY_STATE_CACHE_MB'),
    wireJsonCacheBytes: megabytes(env.FERRY_WIRE_CACHE_MB, ferryDefaults.wireJsonCacheBytes, 'FERRY_WIRE_CACHE_MB'),
    workerConcurrency: positiveInteger(
      env.FERRY_WORKER_CONCURRENCY,
      ferryDefaults.worker.concurrency,
      'FERRY_WORKER_CONCURRENCY',
    ),
    bulkRangeParallelism: positiveInteger(
      env.FERRY_BULK_RANGES,
      ferryDefaults.bulk.rangeParallelism,
      'FERRY_BULK_RANGES',
    ),
    bulkSplitAboveRows: positiveInteger(
      env.FERRY_BULK_SPLIT_ROWS,
      ferryDefaults.bulk.splitAboveRows,
      'FERRY_BULK_SPLIT_ROWS',
    ),
    organizationConcurrency: nonEmpty(env.FERRY_ORGANIZATION_CONCURRENCY)
      ? positiveInteger(env.FERRY_ORGANIZATION_CONCURRENCY, 0, 'FERRY_ORGANIZATION_CONCURRENCY')
      : undefined,
    workerShutdownGraceMs: nonNegativeInteger(
      env.FERRY_WORKER_SHUTDOWN_GRACE_MS,
      ferryDefaults.worker.shutdownGraceMs,
      'FERRY_WORKER_SHUTDOWN_GRACE_MS',
    ),
    changeCaptureLagWarnBytes: positiveInteger(
      env.FERRY_CDC_LAG_WARN_BYTES,
      ferryDefaults.changeCapture.lagWarnBytes,
      'FERRY_CDC_LAG_WARN_BYTES',
    ),
    eventRetentionHours: positiveInteger(
      env.FERRY_EVENT_RETENTION_HOURS,
      ferryDefaults.eventRetentionHours,
      'FERRY_EVENT_RETENTION_HOURS',
    ),
    webhookRetryBaseMs: positiveInteger(
      env.FERRY_WEBHOOK_RETRY_BASE_MS,
      ferryDefaults.webhookRetry.baseDelayMs,
      'FERRY_WEBHOOK_RETRY_BASE_MS',
    ),
    smtpUrl: nonEmpty(env.FERRY_SMTP_URL),
    smtpFrom: nonEmpty(env.FERRY_SMTP_FROM) ?? 'ferry@localhost',
    publicUrl: (overrides.publicUrl ?? env.FERRY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    versionSunsets: nonEmpty(env.FERRY_VERSION_SUNSET)
      ? parseVersionSunsets(env.FERRY_VERSION_SUNSET, 'FERRY_VERSION_SUNSET')
      : ferryDefaults.versionSunsets,
    publicUrlExplicit: Boolean(overrides.publicUrl ?? env.FERRY_PUBLIC_URL),
  };
}
