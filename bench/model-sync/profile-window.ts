// One run's part of a server child's CPU profile. `--cpu-prof` profiles the child's whole life (start-up, API calls,
// every run); its timestamps are on the monotonic clock that process.hrtime reads in any process on the machine, so
// the parent's window of a run (EndToEndRun.window) picks that run's samples out of it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: unknown[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The samples of `profile` taken within [fromUs, toUs]; the same nodes, so cpu-profile-summary reads it as a whole one. */
export function profileWindow<Profile extends CpuProfile>(profile: Profile, fromUs: number, toUs: number): Profile {
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let at = profile.startTime;
  let last = fromUs;
  for (const [index, sample] of profile.samples.entries()) {
    at += profile.timeDeltas[index] ?? 0;
    if (at < fromUs || at > toUs) continue;
    samples.push(sample);
    timeDeltas.push(at - last);
    last = at;
  }
  return { ...profile, startTime: fromUs, endTime: toUs, samples, timeDeltas };
}

/**
 * The .cpuprofile in `directory` whose life covers the window, if any, of the process's main thread by default: node
 * names them CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile, and thread 1 is the module loader's (tsx).
 */
export function profileCovering(directory: string, fromUs: number, toUs: number, thread = 0): CpuProfile | undefined {
  const ofThread = (file: string) => file.endsWith('.cpuprofile') && file.split('.').at(-3) === String(thread);
  for (const name of readdirSync(directory).filter(ofThread)) {
    const profile = JSON.parse(readFileSync(join(directory, name), 'utf8')) as CpuProfile;
    if (profile.startTime <= fromUs && profile.endTime >= toUs) return profile;
  }
  return undefined;
}
