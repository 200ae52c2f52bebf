// Where one resource read spends its CPU time: Ferry on embedded SQLite (BENCH_PROFILE_DIALECT=postgres: on a
// scratch PostgreSQL database), an organization seeded as bench/api seeds it (seed-resources.ts), then N sequential
// requests through Fastify's inject (no sockets) under the V8 profiler, started after the seeding so that only the
// requests are sampled. Prints the self time by package and file, the top functions, and the inclusive time of the
// request's parts (version conversion, JSON, schedules, the guard).
// Run: node --import tsx bench/api/profile-resource-read.ts [bulkSync|modelSync|connection|bulkSyncs|modelSyncs|
//      connections] [version]   (BENCH_ITERATIONS, 2000, also caps the timed calls: 20 for a list; BENCH_API_SEED_RESOURCES, 1000; BENCH_CPU_PROFILE_OUT=<file>)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createFerry } from '../../src/ferry.ts';
import { allRoutes } from '../../src/api/routes.ts';
import { versionChanges } from '../../src/api/versioning/changes/index.ts';
import { planEndpoint } from '../../src/api/versioning/migrate.ts';
import type { ApiVersion } from '../../src/api/versioning/versions.ts';
import { summarizeCpuProfile } from '../lib/cpu-profile-summary.ts';
import { timeOperation } from '../lib/time-operation.ts';
import { loadInChild } from './load-in-child.ts';
import { createPostgresDatabase } from '../../test/kit/services.ts';
import { seedResources } from './seed-resources.ts';

const endpoint = process.argv[2] ?? 'bulkSync';
const version = process.argv[3] ?? '2025-09-18';
const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
const count = Number(process.env.BENCH_API_SEED_RESOURCES ?? 1000);
// BENCH_PROFILE_HTTP=<seconds>: the sampled requests come over HTTP from autocannon in a child process (50
// connections), as bench/api sends them, instead of sequential injects (inject has costs of its own: copyHeaders,
// doInject, a fake socket).
const httpSeconds = Number(process.env.BENCH_PROFILE_HTTP ?? 0);
const scratch =
  process.env.BENCH_PROFILE_DIALECT === 'postgres' ? await createPostgresDatabase('ferry_bench_profile') : undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-profile-'));
const apiKey = 'bench-api-key-profile';
const ferry = await createFerry(
  loadConfig(
    {
      FERRY_DATA_DIR: dataDir,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      FERRY_BOOTSTRAP_API_KEY: apiKey,
      FERRY_BOOTSTRAP_PARTNER_KEY: 'bench-partner-key-profile',
    },
    // As bench/api serves the resource reads: without the worker, whose scheduler would start the seeded syncs' runs.
    { worker: false },
  ),
);
try {
  const url = await ferry.listen();
  const { organizationId } = ferry.bootstrap!;
  const ids = await seedResources(ferry, url, apiKey, organizationId, dataDir, count);
  const paths: Record<string, string> = {
    me: '/api/me',
    bulkSync: `/api/bulk/syncs/${ids.bulkSyncId}`,
    modelSync: `/api/syncs/${ids.modelSyncId}`,
    connection: `/api/connections/${ids.connectionId}`,
    bulkSyncs: '/api/bulk/syncs',
    modelSyncs: '/api/syncs',
    connections: '/api/connections',
  };
  const path = paths[endpoint];
  if (!path) throw new Error(`unknown endpoint ${endpoint}: one of ${Object.keys(paths).join(', ')}`);
  const headers = { authorization: `Bearer ${apiKey}`, 'x-polytomic-version': version };
  const request = async () => {
    const response = await ferry.app.inject({ method: 'GET', url: path, headers });
    if (response.statusCode !== 200) throw new Error(`${path} answered ${response.statusCode}: ${response.body}`);
    return response.body.length;
  };
  const bytes = await request();
  for (let index = 0; index < Math.min(500, iterations); index += 1) await request(); // warm-up (JIT)

  // The version conversion alone (the response walked down from 2025-09-18), against the whole request, both timed
  // sequentially in this process (lowest of 5 rounds, so that a shared machine's noise is left out).
  const routePath = endpoint.endsWith('s') ? path : path.replace(/[^/]+$/, '{id}');
  const route = allRoutes(ferry.context).find(
    (each) => each.method === 'GET' && (each.path === routePath || each.path === path),
  )!;
  const planned = planEndpoint(route, version as ApiVersion, versionChanges)!;
  const newest = JSON.parse(
    (await ferry.app.inject({ method: 'GET', url: path, headers: { ...headers, 'x-polytomic-version': '2025-09-18' } }))
      .body,
  );
  // A list of 1,000 takes tens of ms a request: fewer BENCH_ITERATIONS time fewer calls too.
  const timed = (most: number) => ({ iterations: Math.min(most, iterations) });
  const conversion = await timeOperation('conversion', () => planned.downgradeResponse(newest), timed(2000));
  const whole = await timeOperation('request', request, timed(1000));
  const serialization = await timeOperation('JSON.stringify', () => JSON.stringify(newest), timed(2000));

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  let sampled = iterations;
  if (httpSeconds > 0) sampled = await loadInChild(`${url}${path}`, headers, httpSeconds);
  else for (let index = 0; index < iterations; index += 1) await request();
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuStarted);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  if (process.env.BENCH_CPU_PROFILE_OUT) writeFileSync(process.env.BENCH_CPU_PROFILE_OUT, JSON.stringify(profile));

  const parts = [
    'downgradeResponse',
    'upgradeRequest',
    'walk',
    'stringify',
    'authenticate',
    'guard',
    'precheck',
    'requireOn',
    'readableIds',
    'render',
    'bulkSyncToWire',
    'toBulkSchedulesResponse',
    'modelSyncToWire',
    'connectionToWire',
    'runInAsyncScope',
  ];
  // Profiler.stop serializes the profile synchronously inside the inspector's native `dispatch`, which the profile
  // samples too: those samples are not the requests', so they are left out.
  const nodes = (profile as { nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }> }).nodes;
  const stopFrames = new Set(
    nodes.filter((node) => node.callFrame.functionName === 'dispatch' && !node.callFrame.url).map((node) => node.id),
  );
  const kept = { ...profile, samples: [] as number[], timeDeltas: [] as number[] };
  profile.samples!.forEach((id, index) => {
    if (stopFrames.has(id)) return;
    kept.samples.push(id);
    kept.timeDeltas.push(profile.timeDeltas![index]!);
  });
  const summary = summarizeCpuProfile(kept as never, parts, 40);
  console.log(
    `GET ${path} at ${version}: ${sampled} requests in ${elapsedMs.toFixed(0)} ms, ` +
      `${((elapsedMs * 1000) / sampled).toFixed(0)} µs each (wall, ${httpSeconds > 0 ? 'HTTP, 50 clients' : 'sequential, inject'}), ${bytes} bytes; ` +
      `${count} of each kind in the organization; process CPU ${((cpu.user + cpu.system) / sampled).toFixed(1)} µs a request (profiler on)`,
  );
  console.log(
    `sequential CPU per call: whole request ${whole.cpuMicros.toFixed(0)} µs; version conversion to ${version} ` +
      `${conversion.cpuMicros.toFixed(1)} µs (${((conversion.cpuMicros / whole.cpuMicros) * 100).toFixed(1)}% of the request); ` +
      `JSON.stringify of the response ${serialization.cpuMicros.toFixed(1)} µs ` +
      `(${((serialization.cpuMicros / whole.cpuMicros) * 100).toFixed(1)}%)`,
  );
  const share = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1)}%`;
  console.log(`\nsampled busy ${summary.busyMs.toFixed(0)} ms\n\nself time by package/file:`);
  for (const { group, ms } of summary.byGroup.slice(0, 15))
    console.log(`  ${share(ms).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  ${group}`);
  console.log('\ntop functions by self time:');
  for (const { name, ms } of summary.topFunctions)
    console.log(`  ${share(ms).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  console.log('\ninclusive time of named functions:');
  for (const { name, ms } of summary.inclusive)
    console.log(`  ${share(ms).padStart(6)}  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
} finally {
  await ferry.close();
  await scratch?.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
