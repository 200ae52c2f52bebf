// bench/api: Ferry's request path against a bare Fastify route that sends the same JSON, in the same run.
// Scenarios: GET /api/me, GET /api/entities/{user id}, and GET /api/connections of an organization with 30 and with
// 1,000 connections, on embedded SQLite and, when reachable, PostgreSQL.
// Every scenario gets a fresh server child (its peak RSS is its own); autocannon runs here, in the parent.
// Goals (issue): throughput ≥ 0.6 × bare, p99 < 20 ms, at 50 connections for 10 s.
// Knobs (environment): BENCH_DURATION (s, 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (50),
// BENCH_API_DIALECTS ("sqlite,postgres"), BENCH_CPU_PROF_DIR (write a .cpuprofile per server child),
// BENCH_API_DIAGNOSE=1 (add Ferry runs whose key and entity lookups answer from memory; diagnostic, no goal),
// BENCH_API_ENDPOINTS ("me,entity,connections30,connections1000": which routes to measure).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { postgresUnavailable } from '../test/kit/services.ts';
import { printGoals, type GoalCheck } from './lib/goal.ts';
import { measureHttp, type LoadResult } from './lib/http-load.ts';
import { ownPeakRss } from './lib/peak-rss.ts';
import { cpuSecondsOf } from './lib/process-cpu.ts';
import { ratio } from './lib/ratio.ts';
import { formatBytes } from './lib/result-table.ts';
import { printApiResults, type ScenarioResult } from './api/api-report.ts';
import { startBareTarget, startFerryTarget, type Dialect, type FerryTarget, type Target } from './api/targets.ts';

const goals = { minRatio: 0.6, maxP99Ms: 20 } as const;

type Endpoint = 'me' | 'entity' | 'connections30' | 'connections1000';
const allEndpoints: Endpoint[] = ['me', 'entity', 'connections30', 'connections1000'];

const settings = {
  durationSeconds: Number(process.env.BENCH_DURATION ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  cpuProfileDir: process.env.BENCH_CPU_PROF_DIR || undefined,
  diagnose: process.env.BENCH_API_DIAGNOSE === '1',
  endpoints: (process.env.BENCH_API_ENDPOINTS ?? allEndpoints.join(',')).split(',').map((name) => name.trim()),
};

const endpointPaths = {
  me: '/api/me',
  entity: '/api/entities/:id',
  connections30: '/api/connections',
  connections1000: '/api/connections',
} as const satisfies Record<Endpoint, string>;
/** How many connections the organization holds in each list scenario. */
const listedConnections: Partial<Record<Endpoint, number>> = { connections30: 30, connections1000: 1000 };

function ferryPath(endpoint: Endpoint, target: FerryTarget): string {
  return endpoint === 'entity' ? `/api/entities/${target.details.userId}` : endpointPaths[endpoint];
}

function scenarioName(endpoint: Endpoint): string {
  const count = listedConnections[endpoint];
  return count === undefined ? `GET ${endpointPaths[endpoint]}` : `GET /api/connections (${count} connections)`;
}

async function fetchBody(url: string, apiKey: string): Promise<string> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
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
  let load: LoadResult;
  let serverCpuMsPerRequest: number | undefined;
  let peakRss: number | undefined;
  try {
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
  } finally {
    peakRss = await target.stop();
  }
  return { load, serverCpuMsPerRequest, peakRss };
}

async function measureFerry(
  dialect: Dialect,
  endpoint: Endpoint,
  bodies: Map<Endpoint, string>,
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

async function measureBare(endpoint: Endpoint, bodies: Map<Endpoint, string>): Promise<ScenarioResult> {
  const target = await startBareTarget(
    { [endpointPaths[endpoint]]: bodies.get(endpoint)! },
    { cpuProfileDir: settings.cpuProfileDir },
  );
  const path = endpoint === 'entity' ? '/api/entities/00000000-0000-4000-8000-000000000000' : endpointPaths[endpoint];
  const measured = await measureTarget(target, target.url + path);
  return { scenario: `bare fastify ${scenarioName(endpoint)}`, endpoint, kind: 'bare', ...measured };
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
const bodies = new Map<Endpoint, string>();
// Bare runs are interleaved with the first dialect's Ferry runs so that drift (thermal, neighbours) hits both.
for (const dialect of chosen) {
  for (const endpoint of allEndpoints.filter((each) => settings.endpoints.includes(each))) {
    results.push(await measureFerry(dialect, endpoint, bodies));
    if (!results.some((result) => result.kind === 'bare' && result.endpoint === endpoint))
      results.push(await measureBare(endpoint, bodies));
    if (settings.diagnose) results.push(await measureFerry(dialect, endpoint, bodies, true));
  }
}

for (const result of results) {
  const bare = results.find((each) => each.kind === 'bare' && each.endpoint === result.endpoint);
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
  const valid = result.load.problems.length === 0;
  checks.push({
    name: `${result.scenario} throughput`,
    met: valid && (result.ratio ?? 0) >= goals.minRatio,
    detail: `${result.ratio?.toFixed(2)} of bare (goal ≥ ${goals.minRatio.toFixed(2)})${valid ? '' : `; invalid run: ${result.load.problems.join(', ')}`}`,
  });
  checks.push({
    name: `${result.scenario} p99`,
    met: valid && result.load.p99Ms < goals.maxP99Ms,
    detail: `${result.load.p99Ms} ms (goal < ${goals.maxP99Ms} ms)`,
  });
}
printGoals(checks);
