// Where a V8 CPU profile (.cpuprofile, written by `node --cpu-prof`) spends its time: self time grouped by
// package or source file, the top functions by self time, and the inclusive time of named functions (e.g. the
// authenticator). Run: node --import tsx bench/lib/cpu-profile-summary.ts <file.cpuprofile> [function,...]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time in ms, idle excluded. */
  busyMs: number;
  idleMs: number;
  byGroup: Array<{ group: string; ms: number }>;
  topFunctions: Array<{ name: string; ms: number }>;
  inclusive: Array<{ name: string; ms: number }>;
}

/** node_modules/<package>, src/<file>, node:<module>, or V8's own buckets ((garbage collector), (program)). */
function groupOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const source = /\/((?:src|bench|test)\/.*)$/.exec(url);
  if (source) return source[1]!;
  return url.startsWith('node:') ? url : url.replace(/^file:\/\//, '');
}

export function summarizeCpuProfile(
  profile: CpuProfile,
  inclusiveNames: readonly string[] = [],
  top = 15,
): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const selfMs = new Map<number, number>();
  for (const [index, id] of profile.samples.entries())
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);

  const byGroup = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusiveNames.map((name) => [name, 0]));
  let busyMs = 0;
  let idleMs = 0;
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    busyMs += ms;
    const group = groupOf(url, functionName);
    byGroup.set(group, (byGroup.get(group) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${group}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    // A sample counts once for each named function on its stack, however often the name recurs.
    const onStack = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parents.get(cursor)) {
      const frameName = nodes.get(cursor)!.callFrame.functionName;
      if (inclusive.has(frameName)) onStack.add(frameName);
    }
    for (const frameName of onStack) inclusive.set(frameName, inclusive.get(frameName)! + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms }));
  return {
    busyMs,
    idleMs,
    byGroup: sorted(byGroup).map(({ name, ms }) => ({ group: name, ms })),
    topFunctions: sorted(byFunction).slice(0, top),
    inclusive: [...inclusive].map(([name, ms]) => ({ name, ms })),
  };
}

function printSummary(file: string, summary: ProfileSummary): void {
  const share = (ms: number) =>
    `${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms`;
  console.log(`\n${file}: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`);
  console.log('\nself time by package or file:');
  for (const { group, ms } of summary.byGroup.slice(0, 25)) console.log(`  ${share(ms)}  ${group}`);
  console.log('\ntop functions by self time:');
  for (const { name, ms } of summary.topFunctions) console.log(`  ${share(ms)}  ${name}`);
  if (summary.inclusive.length > 0) {
    console.log('\ninclusive time of named functions:');
    for (const { name, ms } of summary.inclusive) console.log(`  ${share(ms)}  ${name}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, names] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx bench/lib/cpu-profile-summary.ts <file.cpuprofile> [function,function…]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  printSummary(file, summarizeCpuProfile(profile, names ? names.split(',') : [], 25));
}
