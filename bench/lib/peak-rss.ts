// Peak resident memory of the process under test. Linux keeps the exact high-water mark (VmHWM in
// /proc/<pid>/status); elsewhere the peak is approximated by polling the current RSS with `ps`, which can miss
// a spike shorter than the interval.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** This process's peak RSS in bytes (getrusage ru_maxrss, which Node reports in KiB). */
export function ownPeakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

function procStatusKib(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    // No /proc (macOS) or the process has exited: the caller falls back to sampling.
    return undefined;
  }
}

/** Current RSS of any process in bytes, or undefined when it cannot be read (exited, no /proc and no ps). */
function currentRss(pid: number): number | undefined {
  const kib = procStatusKib(pid, 'VmRSS');
  if (kib !== undefined) return kib * 1024;
  try {
    const output = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return output ? Number(output) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface PeakRssSampler {
  /** Stops sampling and returns the peak in bytes (undefined if nothing could be read). Call before the process exits. */
  stop(): number | undefined;
}

/**
 * Tracks the peak RSS of another process (a server child) from now until stop(). On Linux the kernel's
 * high-water mark is read at stop(), which covers the process's whole life, start-up included.
 */
export function startPeakRssSampler(pid: number, intervalMs = 250): PeakRssSampler {
  let peak: number | undefined;
  const sample = () => {
    const rss = currentRss(pid);
    if (rss !== undefined && (peak === undefined || rss > peak)) peak = rss;
  };
  const exact = procStatusKib(pid, 'VmHWM') !== undefined;
  const timer = exact ? undefined : setInterval(sample, intervalMs);
  timer?.unref();
  sample();
  return {
    stop() {
      if (timer) clearInterval(timer);
      const highWater = procStatusKib(pid, 'VmHWM');
      if (highWater !== undefined) return highWater * 1024;
      sample();
      return peak;
    },
  };
}
