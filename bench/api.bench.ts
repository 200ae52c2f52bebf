// bench/api: Ferry's request path against a bare Fastify route that sends the same JSON, in the same run.
// Scenarios: GET /api/me, GET /api/entities/{user id}, and GET /api/connections of an organization with 30 and with
// 1,000 connections, on embedded SQLite and, when reachable, PostgreSQL. And the resource reads: GET a bulk sync, a
// model sync and a connection, and the list of each, in an organization holding 1,000 of each, in 2025-09-18 and
// 2024-02-08 (and 2022-12-12 for the bulk sync): these share one seeded server child per dialect.
// Every other scenario gets a fresh server child (its peak RSS is its own); autocannon runs here, in the parent.
// Goals (issue): throughput ≥ 0.6 × bare, p99 < 20 ms, at 50 connections for 10 s.
// Knobs (environment): BENCH_DURATION (s, 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (50),
// BENCH_API_DIALECTS ("sqlite,postgres"), BENCH_CPU_PROF_DIR (write a .cpuprofile per server child),
// BENCH_API_DIAGNOSE=1 (add Ferry runs whose key and entity lookups answer from memory; diagnostic, no goal),
// BENCH_API_ENDPOINTS ("me,entity,connections30,connections1000,connection,connections,bulkSync,bulkSyncs,modelSync,
// modelSyncs": which routes to measure), BENCH_API_SEED_RESOURCES (1000: items of each kind for the resource reads).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { postgresUnavailable } from '../test/kit/services.ts';
import { printGoals, type GoalCheck } from './lib/goal.ts';
import { measureHttp, type LoadResult } from './lib/http-load.ts';
import { ownPeakRss } from './lib/peak-rss.ts';
import { cpuSecondsOf, untilIdle } from './lib/process-cpu.ts';
import { ratio } from './lib/ratio.ts';
import { formatBytes } from './lib/result-table.ts';
import { printApiResults, type ScenarioResult } from './api/api-report.ts';
import { startBareTarget, startFerryTarget, type Dialect, type FerryTarget, type Target } from './api/targets.ts';

const goals = { minRatio: 0.6, maxP99Ms: 20 } as const;

type Endpoint = ScenarioResult['endpoint'];
const allEndpoints: Endpoint[] = ['me', 'entity', 'connections30', 'connections1000'];
/** The resource reads, with the versions each is measured in. */
const resourceEndpoints: Partial<Record<Endpoint, readonly string[]>> = {
  bulkSync: ['2025-09-18', '2024-02-08', '2022-12-12'],
  bulkSyncs: ['2025-09-18', '2024-02-08'],
  modelSync: ['2025-09-18', '2024-02-08'],
  modelSyncs: ['2025-09-18', '2024-02-08'],
  connection: ['2025-09-18', '2024-02-08'],
  connections: ['2025-09-18', '2024-02-08'],
};
const resourceCount = Number(process.env.BENCH_API_SEED_RESOURCES ?? 1000);

const settings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  cpuProfileDir: process.env.BENCH_CPU_PROF_DIR || undefined,
  diagnose: process.env.BENCH_API_DIAGNOSE === '1',
  endpoints: (process.env.BENCH_API_ENDPOINTS ?? [...allEndpoints, ...Object.keys(resourceEndpoints)].join(','))
    .split(',')
    .map((name) => name.trim()),
};

const endpointPaths = {
  me: '/api/me',
  entity: '/api/entities/:id',
  connections30: '/api/connections',
  connections1000: '/api/connections',
  bulkSync: '/api/bulk/syncs/:id',
  bulkSyncs: '/api/bulk/syncs',
  modelSync: '/api/syncs/:id',
  modelSyncs: '/api/syncs',
  connection: '/api/connections/:id',
  connections: '/api/connections',
} as const satisfies Record<Endpoint, string>;
/** How many connections the organization holds in each list scenario. */
const listedConnections: Partial<Record<Endpoint, number>> = { connections30: 30, connections1000: 1000 };

function ferryPath(endpoint: Endpoint, target: FerryTarget): string {
  const resources = target.details.resources;
  if (endpoint === 'entity') return `/api/entities/${target.details.userId}`;
  if (endpoint === 'bulkSync') return `/api/bulk/syncs/${resources!.bulkSyncId}`;
  if (endpoint === 'modelSync') return `/api/syncs/${resources!.modelSyncId}`;
  if (endpoint === 'connection') return `/api/connections/${resources!.connectionId}`;
  return endpointPaths[endpoint];
}

/** A bare route's path for the same request: the parametric routes with some id. */
function barePath(endpoint: Endpoint): string {
  return endpointPaths[endpoint].replace(':id', '00000000-0000-4000-8000-000000000000');
}

function scenarioName(endpoint: Endpoint, version?: string): string {
  const count = listedConnections[endpoint];
  if (version) return `GET ${endpointPaths[endpoint].replace(':id', '{id}')} ${version}`;
  return count === undefined ? `GET ${endpointPaths[endpoint]}` : `GET /api/connections (${count} connections)`;
}

/** The key of a route's response bytes (and of its bare run): the endpoint and, for resource reads, the version. */
const bodyKey = (endpoint: Endpoint, version?: string) => (version ? `${endpoint} ${version}` : endpoint);

async function fetchBody(url: string, apiKey: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}`, ...headers } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${text}`);
  return text;
}

interface Measured {
  load: LoadResult;
  serverCpuMsPerRequest: number | undefined;
  peakRss: number | undefined;
}

/** Loads one URL of a started server child, then stops the child (always) and reports what it cost. */
async function measureTarget(
  target: Target<unknown>,
  url: string,
  headers: Record<string, string> = {},
): Promise<Measured> {
  let measured: Omit<Measured, 'peakRss'>;
  try {
    measured = await loadTarget(target, url, headers);
  } catch (error: unknown) {
    await target.stop();
    throw error;
  }
  return { ...measured, peakRss: await target.stop() };
}

/** Loads one URL of a started server child (which keeps running) and reports what it cost. */
async function loadTarget(
  target: Target<unknown>,
  url: string,
  headers: Record<string, string> = {},
): Promise<Omit<Measured, 'peakRss'>> {
  let load: LoadResult;
  let serverCpuMsPerRequest: number | undefined;
  {
    let cpuAtStart: number | undefined;
    const { connections, durationSeconds, warmupSeconds } = settings;
    load = await measureHttp({
      url,
      headers,
      connections,
      durationSeconds,
      warmupSeconds,
      onMeasureStart: () => (cpuAtStart = cpuSecondsOf(target.pid)),
    });
    const cpuAtEnd = cpuSecondsOf(target.pid);
    if (cpuAtStart !== undefined && cpuAtEnd !== undefined)
      serverCpuMsPerRequest = ((cpuAtEnd - cpuAtStart) * 1000) / load.requests;
    // Requests the server had accepted but not answered when autocannon stopped are still queued; one more
    // request waits behind them, so that stopping the server does not cut them off (Ferry would log 500s).
    await fetch(url, { headers }).then((response) => response.arrayBuffer());
  }
  return { load, serverCpuMsPerRequest };
}

async function measureFerry(
  dialect: Dialect,
  endpoint: Endpoint,
  bodies: Map<string, string>,
  lookupsFromMemory = false,
): Promise<ScenarioResult> {
  const target = await startFerryTarget(dialect, {
    cpuProfileDir: settings.cpuProfileDir,
    lookupsFromMemory,
    seedConnections: listedConnections[endpoint],
  });
  try {
    // The baseline must send the very bytes Ferry sends, so they are taken from the first Ferry server of each route.
    if (!bodies.has(endpoint))
      bodies.set(endpoint, await fetchBody(target.url + ferryPath(endpoint, target), target.apiKey));
  } catch (error: unknown) {
    await target.stop();
    throw error;
  }
  const measured = await measureTarget(target, target.url + ferryPath(endpoint, target), {
    authorization: `Bearer ${target.apiKey}`,
  });
  const scenario = `ferry ${dialect} ${scenarioName(endpoint)}${lookupsFromMemory ? ' (diagnostic: lookups from memory)' : ''}`;
  return { scenario, endpoint, kind: lookupsFromMemory ? 'diagnostic' : 'ferry', ...measured };
}

async function measureBare(endpoint: Endpoint, bodies: Map<string, string>, version?: string): Promise<ScenarioResult> {
  const target = await startBareTarget(
    { [endpointPaths[endpoint]]: bodies.get(bodyKey(endpoint, version))! },
    { cpuProfileDir: settings.cpuProfileDir },
  );
  const path = endpoint === 'entity' ? '/api/entities/00000000-0000-4000-8000-000000000000' : barePath(endpoint);
  const measured = await measureTarget(target, target.url + path);
  return { scenario: `bare fastify ${scenarioName(endpoint, version)}`, endpoint, version, kind: 'bare', ...measured };
}

/**
 * The resource reads of one dialect, on one server child seeded with `resourceCount` of each kind (seeding takes
 * longer than a run), each followed by its bare run. Their peak RSS is the shared child's.
 */
async function measureResources(dialect: Dialect, bodies: Map<string, string>): Promise<ScenarioResult[]> {
  // Single reads first: a 1,000-row list leaves work behind that the idle wait below may not fully drain.
  const wanted = Object.entries(resourceEndpoints)
    .filter(([endpoint]) => settings.endpoints.includes(endpoint))
    .sort(([a], [b]) => Number(a.endsWith('s')) - Number(b.endsWith('s')));
  if (wanted.length === 0) return [];
  const target = await startFerryTarget(dialect, {
    cpuProfileDir: settings.cpuProfileDir,
    seedResources: resourceCount,
  });
  const results: ScenarioResult[] = [];
  const bareRuns: Array<[Endpoint, string]> = [];
  try {
    for (const [name, versions] of wanted) {
      const endpoint = name as Endpoint;
      for (const version of versions ?? []) {
        const headers = { authorization: `Bearer ${target.apiKey}`, 'x-polytomic-version': version };
        const url = target.url + ferryPath(endpoint, target);
        const key = bodyKey(endpoint, version);
        if (!bodies.has(key)) {
          bodies.set(key, await fetchBody(url, target.apiKey, headers));
          bareRuns.push([endpoint, version]);
        }
        await untilIdle(target.pid);
        const measured = await loadTarget(target, url, headers);
        results.push({
          scenario: `ferry ${dialect} ${scenarioName(endpoint, version)} (${resourceCount} in the organization)`,
          endpoint,
          version,
          kind: 'ferry',
          peakRss: undefined,
          ...measured,
        });
      }
    }
  } finally {
    const peakRss = await target.stop();
    for (const result of results) result.peakRss = peakRss;
  }
  // The bare runs follow, one per response seen for the first time, while the Ferry child is gone.
  for (const [endpoint, version] of bareRuns) results.push(await measureBare(endpoint, bodies, version));
  return results;
}

async function dialects(): Promise<Dialect[]> {
  const wanted = (process.env.BENCH_API_DIALECTS ?? 'sqlite,postgres').split(',').map((name) => name.trim());
  const found: Dialect[] = [];
  if (wanted.includes('sqlite')) found.push('sqlite');
  if (wanted.includes('postgres')) {
    const reason = await postgresUnavailable();
    if (reason) console.log(`PostgreSQL scenarios skipped: ${reason}`);
    else found.push('postgres');
  }
  return found;
}

console.log(
  `bench/api: autocannon ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s per scenario; ` +
    `server in a child process (LOG_LEVEL=warn), load generator in this one.`,
);
const machine = () =>
  `${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}, load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`;
console.log(`machine: ${machine()}`);
if (settings.cpuProfileDir) console.log(`CPU profiles of the server children go to ${settings.cpuProfileDir}`);

const chosen = await dialects();
const results: ScenarioResult[] = [];
const bodies = new Map<string, string>();
// Bare runs are interleaved with the first dialect's Ferry runs so that drift (thermal, neighbours) hits both.
for (const dialect of chosen) {
  for (const endpoint of allEndpoints.filter((each) => settings.endpoints.includes(each))) {
    results.push(await measureFerry(dialect, endpoint, bodies));
    if (!results.some((result) => result.kind === 'bare' && result.endpoint === endpoint))
      results.push(await measureBare(endpoint, bodies));
    if (settings.diagnose) results.push(await measureFerry(dialect, endpoint, bodies, true));
  }
  results.push(...(await measureResources(dialect, bodies)));
}

for (const result of results) {
  const bare = results.find(
    (each) => each.kind === 'bare' && each.endpoint === result.endpoint && each.version === result.version,
  );
  result.ratio = ratio(result.load.requestsPerSecond, bare?.load.requestsPerSecond ?? Number.NaN);
  result.cpuRatio = ratio(bare?.serverCpuMsPerRequest ?? Number.NaN, result.serverCpuMsPerRequest ?? Number.NaN);
}
printApiResults(results);
console.log(
  `load generator (this process) peak RSS: ${formatBytes(ownPeakRss())}; machine after the run: ${machine()}`,
);
console.log(
  'server CPU/req: CPU time of the server child during the measured run ÷ requests; steadier than requests/s on a busy machine.\n',
);

const checks: GoalCheck[] = [];
// The list scenarios have no goal of the issue's kind (a 1,000-row list cannot answer in 20 ms at 50 connections);
// what matters is that a list costs what its rows cost, so their server CPU per row is printed instead.
for (const result of results.filter((each) => each.kind === 'ferry' && listedConnections[each.endpoint])) {
  const rows = listedConnections[result.endpoint]!;
  const perRequest = result.serverCpuMsPerRequest;
  console.log(
    `${result.scenario}: ${perRequest === undefined ? 'n/a' : `${(perRequest * 1000).toFixed(0)} µs of server CPU per request, ${((perRequest * 1000) / rows).toFixed(1)} µs per row`}`,
  );
}
for (const result of results.filter((each) => each.kind === 'ferry' && !listedConnections[each.endpoint])) {
  // A run that answered nothing in its measured time has no p99 to meet.
  const valid = result.load.problems.length === 0 && result.load.requests > 0;
  checks.push({
    name: `${result.scenario} throughput`,
    met: valid && (result.ratio ?? 0) >= goals.minRatio,
    detail: `${result.ratio?.toFixed(2)} of bare (goal ≥ ${goals.minRatio.toFixed(2)})${valid ? '' : `; invalid run: ${result.load.problems.join(', ') || 'no request answered in the measured time'}`}`,
  });
  checks.push({
    name: `${result.scenario} p99`,
    met: valid && result.load.p99Ms < goals.maxP99Ms,
    detail: `${result.load.p99Ms} ms (goal < ${goals.maxP99Ms} ms)`,
  });
}
printGoals(checks);
