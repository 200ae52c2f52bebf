// What the API and the worker share in one process. Built by createFerry (ferry.ts); tests build their own.
import type pino from 'pino';
import type { FerryConfig } from './config.ts';
import type { Clock } from './domain/clock.ts';
import type { MetadataDatabase } from './persistence/database.ts';
import type { Repositories } from './persistence/repositories/index.ts';
import type { SecretBox } from './persistence/secret-box.ts';
import type { EntityRegistry } from './services/entity-registry.ts';
import type { ConnectorRegistry } from './connectors/registry.ts';
import type { TokenSigner } from './services/signed-tokens.ts';
import type { ConnectionProxy } from './proxy/connection-proxy.ts';
import type { JobQueue } from './queue/job-queue.ts';
import type { CredentialCache } from './api/auth/credential-cache.ts';
import type { JobsService } from './services/jobs-service.ts';
import type { FerryMetrics } from './metrics/ferry-metrics.ts';

export interface AppContext {
  config: FerryConfig;
  database: MetadataDatabase;
  repositories: Repositories;
  secretBox: SecretBox;
  entities: EntityRegistry;
  connectors: ConnectorRegistry;
  /** Signs links that need no API key (connect cards, log files); one purpose string per kind of link. */
  signer(purpose: string): TokenSigner;
  /** The connection proxy (2025-09-18), with its audit log in the metadata database. */
  proxy: ConnectionProxy;
  /** Runs bulk and model-sync executions: embedded on SQLite, graphile-worker on PostgreSQL (docs/queue.md). */
  queue: JobQueue;
  /** Authenticated principals keyed by the API key itself; cleared whenever keys may have been revoked. */
  credentials: CredentialCache;
  /** Asynchronous API jobs (schema refreshes, queries, log exports); closed with the process. */
  jobs: JobsService;
  log: pino.Logger;
  /** The source of time for everything that decides by it; tests pass test/kit's fake clock. */
  clock: Clock;
  /** This process's Prometheus registry and the calls that count into it. */
  metrics: FerryMetrics;
}
