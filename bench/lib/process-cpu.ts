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
