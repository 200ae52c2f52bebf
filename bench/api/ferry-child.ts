// Server child: Ferry exactly as `ferry serve` builds it (createFerry(loadConfig(env))), configured by the
// environment the parent passes: FERRY_DATA_DIR, DATABASE_URL, bootstrap keys, LOG_LEVEL=warn, HOST, PORT=0.
// BENCH_AUTH_FROM_MEMORY=1 is a diagnostic: the same app, but the API key lookup answers from memory, to show
// how much of the gap to the bare route is the per-request database lookup.
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createFerry, type Ferry } from '../../src/ferry.ts';
import { serveInChild } from '../lib/server-child.ts';

export interface FerryChildDetails {
  userId: string;
  organizationId: string;
  dialect: string;
}

async function appWithAuthFromMemory(ferry: Ferry, apiKey: string): Promise<FastifyInstance> {
  const { repositories } = ferry.context;
  const principal = await repositories.apiKeys.findPrincipal(apiKey);
  if (!principal) throw new Error('the bootstrap API key was not found');
  // Other keys still go to the database, so that the stand-in has findPrincipal's exact type.
  const apiKeys = { ...repositories.apiKeys, findPrincipal: async (value: string) => (value === apiKey ? principal : repositories.apiKeys.findPrincipal(value)) };
  return buildServer({ ...ferry.context, repositories: { ...repositories, apiKeys } });
}

await serveInChild<FerryChildDetails>(async () => {
  const config = loadConfig(process.env);
  const ferry = await createFerry(config);
  if (!ferry.bootstrap) throw new Error('the benchmark needs an empty database so that its bootstrap keys are used');
  const details = { userId: ferry.bootstrap.userId, organizationId: ferry.bootstrap.organizationId, dialect: ferry.context.database.dialect };
  if (process.env.BENCH_AUTH_FROM_MEMORY === '1') {
    const app = await appWithAuthFromMemory(ferry, config.bootstrapApiKey!);
    const url = await app.listen({ host: config.host, port: config.port });
    return { url, details, close: async () => (await app.close(), await ferry.close()) };
  }
  return { url: await ferry.listen(), details, close: () => ferry.close() };
});
