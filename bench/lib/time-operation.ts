// Cost of one operation, called sequentially in this process: wall time and CPU time per call. Used to take a
// request apart (what the auth lookup costs alone, what the framework costs alone) once a load benchmark has
// shown that the whole is too slow.
import { performance } from 'node:perf_hooks';

export interface OperationCost {
  name: string;
  iterations: number;
  wallMicros: number;
  cpuMicros: number;
}

export interface TimeOptions {
  /** Measured calls. Default 5000. */
  iterations?: number;
  /** Calls before measuring (JIT, caches), discarded. Default iterations. */
  warmup?: number;
  /** Measured rounds; the lowest wall and the lowest CPU figure are kept (each on its own), because on a shared
   *  machine noise only ever adds time. Default 5. */
  rounds?: number;
}

export async function timeOperation(
  name: string,
  operation: () => unknown,
  options: TimeOptions = {},
): Promise<OperationCost> {
  const iterations = options.iterations ?? 5000;
  for (let index = 0; index < (options.warmup ?? iterations); index += 1) await operation();
  const best: OperationCost = {
    name,
    iterations,
    wallMicros: Number.POSITIVE_INFINITY,
    cpuMicros: Number.POSITIVE_INFINITY,
  };
  for (let round = 0; round < (options.rounds ?? 5); round += 1) {
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    for (let index = 0; index < iterations; index += 1) await operation();
    const wall = performance.now() - wallStart;
    const cpu = process.cpuUsage(cpuStart);
    best.wallMicros = Math.min(best.wallMicros, (wall * 1000) / iterations);
    best.cpuMicros = Math.min(best.cpuMicros, (cpu.user + cpu.system) / iterations);
  }
  return best;
}
