// The end-to-end part of bench/model-sync alone (not part of `npm run bench`), set against the engine alone in a fresh
// process of its own (engine-in-child.ts): the same 100,000-row `people` model (`select * from people order by id`)
// into `contacts`, runs 1 and 2 in both, run 3 after a restart end to end, each with its phases and the CPU time of
// the process that ran it. The pair runs BENCH_PROBE_PAIRS times (1), alternating. With BENCH_CPU_PROF_DIR set, each
// run's part of the CPU profile is summarized (the engine child is profiled too).
// Run: node --import tsx bench/model-sync/end-to-end-probe.ts [functionName,…]  (names: inclusive time, as in
// bench/lib/cpu-profile-summary.ts). BENCH_MODEL_ROWS sets the rows (100000). BENCH_PROBE_SKIP=engine|server skips one.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPostgresDatabase } from '../../test/kit/services.ts';
import { postgresConnectionOf } from '../bulk/ferry-end-to-end.ts';
import { summarizeCpuProfile } from '../lib/cpu-profile-summary.ts';
import type { EngineChildRun } from './engine-in-child.ts';
import { modelSyncThroughServer, type EndToEndRun } from './ferry-end-to-end.ts';
import { contactsTable, createPeople } from './people-model.ts';
import { profileCovering, profileWindow } from './profile-window.ts';

const rows = Number(process.env.BENCH_MODEL_ROWS ?? 100_000);
const pairs = Number(process.env.BENCH_PROBE_PAIRS ?? 1);
const skip = process.env.BENCH_PROBE_SKIP;
const profileDir = process.env.BENCH_CPU_PROF_DIR;
const inclusiveNames = (process.argv[2] ?? '').split(',').filter(Boolean);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function printProfile(window: { fromUs: number; toUs: number }): void {
  if (!profileDir) return;
  console.log(`  window ${window.fromUs}:${window.toUs}`);
  const profile = profileCovering(profileDir, window.fromUs, window.toUs);
  if (!profile) return void console.log('  (no profile covers this run)');
  const summary = summarizeCpuProfile(profileWindow(profile, window.fromUs, window.toUs) as never, inclusiveNames, 30);
  const loader = profileCovering(profileDir, window.fromUs, window.toUs, 1);
  const loaderBusy = loader
    ? summarizeCpuProfile(profileWindow(loader, window.fromUs, window.toUs) as never).busyMs
    : 0;
  console.log(
    `  profile: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms; module loader thread busy ${loaderBusy.toFixed(0)} ms`,
  );
  for (const { group, ms } of summary.byGroup.slice(0, 20)) console.log(`    ${ms.toFixed(0).padStart(6)}  ${group}`);
  console.log('  top functions:');
  for (const { name: fn, ms } of summary.topFunctions) console.log(`    ${ms.toFixed(0).padStart(6)}  ${fn}`);
  for (const { name: fn, ms } of summary.inclusive) console.log(`    ${ms.toFixed(0).padStart(6)}  (inclusive) ${fn}`);
}

function printServerRun(name: string, run: EndToEndRun): void {
  const cpu = run.serverCpuSeconds === undefined ? 'n/a' : `${(run.serverCpuSeconds * 1000).toFixed(0)} ms`;
  console.log(`\nserver ${name}: ${(run.seconds * 1000).toFixed(0)} ms, CPU ${cpu}, load ${load()}`);
  for (const phase of run.phases) console.log(`  ${phase.milliseconds.toFixed(0).padStart(6)}  ${phase.name}`);
  printProfile(run.window);
}

function printEngineRun(name: string, run: EngineChildRun): void {
  console.log(`\nengine ${name}: ${run.ms.toFixed(0)} ms, CPU ${run.cpuMs.toFixed(0)} ms, load ${load()}`);
  for (const [phase, ms] of Object.entries(run.phases))
    console.log(`  ${ms.toFixed(0).padStart(6)}    engine: ${phase}`);
  const overlapping = new Set(['write', 'delivery_commit']);
  const accounted = Object.entries(run.phases)
    .filter(([phase]) => !overlapping.has(phase))
    .reduce((sum, [, ms]) => sum + ms, 0);
  console.log(`  ${(run.ms - accounted).toFixed(0).padStart(6)}    engine: plan check and the rest`);
  printProfile(run.window);
}

const database = await createPostgresDatabase('ferry_bench_model');
const into = await createPostgresDatabase('ferry_bench_model_target');
const native = new pg.Pool({ connectionString: database.url, max: 2 });
const intoPool = new pg.Pool({ connectionString: into.url, max: 1 });
let changes = 0;
const change = async () => {
  changes += 1;
  await native.query(`update people set name = name || ' (e2e)' where id % 100 = $1`, [changes % 100]);
  await native.query('vacuum analyze people');
};

async function engineInChild(): Promise<void> {
  const child = fork(fileURLToPath(new URL('./engine-in-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: { ...process.env, BENCH_SOURCE_URL: database.url, BENCH_TARGET_URL: into.url },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () => once(child, 'message').then(([message]) => message as EngineChildRun);
  await next();
  const runs: EngineChildRun[] = [];
  // BENCH_PROBE_REPEAT: how many runs after 1% changed (each after another change); the least is the steadiest.
  const repeat = Number(process.env.BENCH_PROBE_REPEAT ?? 1);
  for (let run = 1; run <= 1 + repeat; run += 1) {
    if (run > 1) await change();
    child.send({ run });
    runs.push(await next());
  }
  child.send({ stop: true });
  await once(child, 'exit');
  printEngineRun('run 1 (backfill)', runs[0]!);
  for (const later of runs.slice(1)) printEngineRun('run 2 (1% changed)', later);
  if (repeat > 1) {
    const least = (pick: (run: EngineChildRun) => number) => Math.min(...runs.slice(1).map(pick)).toFixed(0);
    console.log(
      `\nengine run 2, least of ${repeat}: ${least((run) => run.ms)} ms, CPU ${least((run) => run.cpuMs)} ms`,
    );
  }
}

async function throughServer(): Promise<void> {
  const result = await modelSyncThroughServer(
    postgresConnectionOf(database),
    postgresConnectionOf(into),
    'select * from people order by id',
    change,
  );
  printServerRun('run 1 (backfill)', result.first);
  printServerRun('run 2 (1% changed)', result.second);
  printServerRun('run 3 (after a restart)', result.afterRestart);
}

try {
  await createPeople(native, rows);
  await intoPool.query(contactsTable);
  console.log(`load average before: ${load()}`);
  for (let pair = 1; pair <= pairs; pair += 1) {
    for (const side of ['engine', 'server'] as const) {
      if (skip === side) continue;
      await intoPool.query('truncate contacts');
      await native.query('vacuum analyze people');
      await intoPool.query('vacuum analyze contacts');
      if (side === 'engine') await engineInChild();
      else await throughServer();
    }
  }
} finally {
  await native.end();
  await intoPool.end();
  await database.drop();
  await into.drop();
}
