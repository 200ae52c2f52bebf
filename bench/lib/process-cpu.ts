// CPU seconds a process has used (user + system). On a shared or noisy machine, CPU time per request of the
// server under test is steadier than requests/s, because time the process spends waiting for a core is not
// counted. Linux only (/proc/<pid>/stat); undefined elsewhere.
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every Linux that Node supports. */
const clockTicksPerSecond = 100;

export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; the fields after its last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * Resolves once a process has used no CPU for `quietMs` (or after `maxMs`): a server child that several scenarios
 * share may still be answering requests the load generator gave up on, which would count against the next one.
 */
export async function untilIdle(pid: number, { quietMs = 300, maxMs = 60_000 } = {}): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cpuSecondsOf(pid);
  if (last === undefined) return;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpuSecondsOf(pid);
    if (now === undefined) return;
    // One clock tick (10 ms) over 100 ms is noise (timers, GC); more is work.
    if (now - last > 0.01) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    last = now;
  }
}
