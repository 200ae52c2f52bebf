// createFerry(config): everything one Ferry process runs, wired together. Used by `ferry serve` and by tests.
import type { FastifyInstance } from 'fastify';
import type pino from 'pino';
import type { AppContext } from './app-context.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import type { FerryConfig } from './config.ts';
import { buildServer } from './api/server.ts';
import { createLogger } from './logger.ts';
import { openDatabase } from './persistence/database.ts';
import { migrateToLatest } from './persistence/migrate.ts';
import { createRepositories } from './persistence/repositories/index.ts';
import { createSecretBox, loadSecretKey } from './persistence/secret-box.ts';
import { bootstrapIfEmpty, checkSecretKeyFingerprint, type BootstrapResult } from './services/bootstrap.ts';
import { createEntityRegistry } from './services/entity-registry.ts';
import { registerTenancyEntities } from './services/tenancy-entities.ts';
import { connectionEntityResolver } from './services/connection-entities.ts';
import { bulkSyncEntityResolver } from './services/bulk-sync-entities.ts';
import { modelEntityResolver } from './services/model-entities.ts';
import { bulkExecutionEntityResolver } from './services/bulk-execution-entities.ts';
import { modelSyncExecutionEntityResolver } from './services/model-sync-execution-entities.ts';
import { modelSyncEntityResolver } from './services/model-sync-entities.ts';
import { createDefaultConnectors } from './connectors/default-connectors.ts';
import { createConnectorRegistry } from './connectors/registry.ts';
import { createTokenSigner } from './services/signed-tokens.ts';
import { createConnectionProxy } from './proxy/connection-proxy.ts';
import { createJobQueue } from './worker/job-queue-factory.ts';
import { createCredentialCache } from './api/auth/credential-cache.ts';
import { jobsService } from './services/jobs-service.ts';
import { startWorker, type Worker } from './worker/worker.ts';
import { createFerryMetrics } from './metrics/ferry-metrics.ts';
import { queueDepthReader } from './metrics/queue-depth.ts';
import { createReadiness } from './metrics/readiness.ts';
import { startOperationsServer, type OperationsServer } from './metrics/operations-server.ts';

export interface Ferry {
  context: AppContext;
  app: FastifyInstance;
  /** Set when this start created the first partner, organization, user and keys. */
  bootstrap: BootstrapResult | undefined;
  /** The worker role of this process (its queue worker and scheduler); absent with --no-worker. */
  worker: Worker | undefined;
  /** Starts the API server (and the metrics port, when FERRY_METRICS_PORT is set); resolves to the API's address. */
  listen(): Promise<string>;
  /** Starts the metrics port alone (`ferry worker`); undefined when FERRY_METRICS_PORT is unset or metrics are off. */
  listenMetrics(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createFerry(
  config: FerryConfig,
  options: { log?: pino.Logger; clock?: Clock } = {},
): Promise<Ferry> {
  const log = options.log ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const warn = (message: string) => log.warn(message);
  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, warn });
  try {
    await migrateToLatest(database);
    const { key, source } = loadSecretKey(
      config.secretKey,
      config.dataDir,
      // The SQLite database has warned about the data dir already.
      database.dialect === 'postgres' ? warn : () => {},
    );
    const secretBox = createSecretBox(key);
    await checkSecretKeyFingerprint(database.db, secretBox.fingerprint);
    const bootstrap = await bootstrapIfEmpty(database.db, clock, {
      partnerKey: config.bootstrapPartnerKey,
      apiKey: config.bootstrapApiKey,
    });
    const repositories = createRepositories(database.db, clock);
    const entities = createEntityRegistry({ cacheTtlMs: config.entityCacheTtlMs });
    registerTenancyEntities(entities, repositories);
    entities.register(connectionEntityResolver(repositories));
    entities.register(bulkSyncEntityResolver(repositories));
    entities.register(modelEntityResolver(repositories));
    entities.register(bulkExecutionEntityResolver(repositories));
    entities.register(modelSyncExecutionEntityResolver(repositories));
    entities.register(modelSyncEntityResolver(repositories));
    const connectors = createConnectorRegistry(
      createDefaultConnectors({ allowPrivateUpstreams: config.allowPrivateUpstreams }),
    );
    const signer = (purpose: string) => createTokenSigner(key, purpose);
    const proxy = createConnectionProxy({
      audit: repositories.proxyCalls,
      stats: repositories.proxyCalls,
      limits: {
        allowPrivateUpstreams: config.allowPrivateUpstreams,
        timeoutMs: config.proxyTimeoutMs,
        connectionRateLimitPerMinute: config.proxyConnectionRateLimitPerMinute,
        organizationRateLimitPerMinute: config.proxyOrganizationRateLimitPerMinute,
      },
      log,
    });
    const queue = await createJobQueue(config, database, log, clock);
    const credentials = createCredentialCache({ ttlMs: config.credentialCacheTtlMs, maxEntries: 10_000 });
    const jobs = jobsService({ jobs: repositories.jobs, log, clock });
    const metrics = createFerryMetrics();
    metrics.readQueueDepthWith(queueDepthReader(database, queue.kind, clock));
    const context: AppContext = {
      config,
      database,
      repositories,
      secretBox,
      entities,
      connectors,
      signer,
      proxy,
      queue,
      credentials,
      jobs,
      log,
      clock,
      metrics,
    };
    let worker: Worker | undefined;
    const readiness = createReadiness({
      database,
      log,
      workerExpected: config.worker,
      workerRunning: () => worker !== undefined,
    });
    const app = await buildServer(context, { readiness });
    worker = config.worker ? await startWorker(context) : undefined;
    let operations: OperationsServer | undefined;
    const listenMetrics = async () => {
      if (!config.metricsEnabled || config.metricsPort === undefined) return undefined;
      operations ??= await startOperationsServer({ port: config.metricsPort, host: config.host, metrics, readiness });
      return operations.url;
    };
    log.info({ database: database.location, dialect: database.dialect, secretKey: source }, 'ferry ready');
    return {
      context,
      app,
      bootstrap,
      worker,
      async listen() {
        const address = await app.listen({ port: config.port, host: config.host });
        const metricsAddress = await listenMetrics();
        if (metricsAddress) log.info({ address: metricsAddress }, 'metrics listening');
        // Signed links must point at this server: with the default public URL, follow the real port (PORT=0 included).
        if (!config.publicUrlExplicit) {
          const { port } = new URL(address);
          config.publicUrl = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
        }
        return address;
      },
      listenMetrics,
      async close() {
        await operations?.close();
        await app.close();
        await jobs.close();
        const stopping = worker;
        worker = undefined; // not ready from here on
        await stopping?.stop();
        await queue.close();
        await proxy.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
