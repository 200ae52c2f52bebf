// Server child: Ferry exactly as `ferry serve` builds it (createFerry(loadConfig(env))), configured by the
// environment the parent passes: FERRY_DATA_DIR, DATABASE_URL, bootstrap keys, LOG_LEVEL=warn, HOST, PORT=0.
// BENCH_LOOKUPS_FROM_MEMORY=1 is a diagnostic: the same app, but the API key lookup and the entity lookup of the
// bootstrap user answer from memory, to show how much of the gap to the bare route is per-request database reads.
// BENCH_SEED_CONNECTIONS=N stores N connections in the bootstrap organization before listening (the list scenarios).
// BENCH_SEED_RESOURCES=N makes N connections, bulk syncs and model syncs once listening (seed-resources.ts), before it
// reports ready (the resource-read scenarios).
// BENCH_RESTART=1 starts on a data directory an earlier child left (a server restart): no bootstrap, no ids reported.
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import { serveInChild } from '../lib/server-child.ts';
import { seedConnections } from './seed-connections.ts';
import { seedResources, type SeededResources } from './seed-resources.ts';

export interface FerryChildDetails {
  userId: string;
  organizationId: string;
  dialect: string;
  /** With BENCH_SEED_RESOURCES: the ids the single-resource scenarios read. */
  resources?: SeededResources;
}

async function appWithLookupsFromMemory(
  ferry: Ferry,
  apiKey: string,
  userId: string,
  organizationId: string,
): Promise<FastifyInstance> {
  const { repositories, entities } = ferry.context;
  const principal = await repositories.apiKeys.findPrincipal(apiKey);
  if (!principal) throw new Error('the bootstrap API key was not found');
  const user = await entities.lookup(userId, { kind: 'organization', organizationId });
  // Other keys and ids still go to the database, so that the stand-ins keep the real functions' types.
  const apiKeys = {
    ...repositories.apiKeys,
    findPrincipal: async (value: string) => (value === apiKey ? principal : repositories.apiKeys.findPrincipal(value)),
  };
  const lookup: typeof entities.lookup = async (id, viewer) =>
    id === userId && viewer.kind === 'organization' && viewer.organizationId === organizationId
      ? user
      : entities.lookup(id, viewer);
  return buildServer({
    ...ferry.context,
    repositories: { ...repositories, apiKeys },
    entities: { ...entities, lookup },
  });
}

await serveInChild<FerryChildDetails>(async () => {
  // The resource reads run without the worker (as `ferry serve --no-worker`): the seeded syncs have schedules, and
  // their runs must not share the server's core with the reads being measured.
  const seedsResources = Number(process.env.BENCH_SEED_RESOURCES ?? 0) > 0;
  const config = loadConfig(process.env, seedsResources ? { worker: false } : {});
  const ferry = await createFerry(config);
  if (process.env.BENCH_RESTART === '1') {
    const details = { userId: '', organizationId: '', dialect: ferry.context.database.dialect };
    return { url: await ferry.listen(), details, close: () => ferry.close() };
  }
  if (!ferry.bootstrap) throw new Error('the benchmark needs an empty database so that its bootstrap keys are used');
  const details = {
    userId: ferry.bootstrap.userId,
    organizationId: ferry.bootstrap.organizationId,
    dialect: ferry.context.database.dialect,
  };
  await seedConnections(ferry, details.organizationId, Number(process.env.BENCH_SEED_CONNECTIONS ?? 0));
  if (process.env.BENCH_LOOKUPS_FROM_MEMORY === '1') {
    const app = await appWithLookupsFromMemory(ferry, config.bootstrapApiKey!, details.userId, details.organizationId);
    const url = await app.listen({ host: config.host, port: config.port });
    return {
      url,
      details,
      close: async () => {
        await app.close();
        await ferry.close();
      },
    };
  }
  const url = await ferry.listen();
  const resources = Number(process.env.BENCH_SEED_RESOURCES ?? 0);
  if (seedsResources)
    Object.assign(details, {
      resources: await seedResources(
        ferry,
        url,
        config.bootstrapApiKey!,
        details.organizationId,
        config.dataDir,
        resources,
      ),
    });
  return { url, details, close: () => ferry.close() };
});
