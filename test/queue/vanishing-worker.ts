// A worker process for the lease and identity cases: it starts a worker on the queue, says so on stdout, and reports
// each job it claims. A job hangs until the test kills the process with SIGKILL (so it is never released), or, with
// `holdMs`, runs that long and finishes.
// argv: <embedded|graphile> <sqlite path|postgres url> <options as JSON: VanishingWorkerOptions>
// stdout: `started <workerId>`, then `claimed <jobId> <attempt>` and `finished <jobId>` per job.
import { openQueueForProcess } from './queue-for-process.ts';

export interface VanishingWorkerOptions {
  task: string;
  leaseMs: number;
  heartbeatIntervalMs?: number;
  workerId?: string;
  holdMs?: number;
}

const [adapter, location, json] = process.argv.slice(2);
const options = JSON.parse(json!) as VanishingWorkerOptions;
const { queue } = await openQueueForProcess(adapter as 'embedded' | 'graphile', location!);
const worker = await queue.start({
  tasks: {
    [options.task]: async (_payload, context) => {
      process.stdout.write(`claimed ${context.jobId} ${context.attempt}\n`);
      if (options.holdMs === undefined) await new Promise(() => {});
      await new Promise((resolve) => setTimeout(resolve, options.holdMs));
      process.stdout.write(`finished ${context.jobId}\n`);
    },
  },
  concurrency: 1,
  pollIntervalMs: 100,
  leaseMs: options.leaseMs,
  heartbeatIntervalMs: options.heartbeatIntervalMs,
  workerId: options.workerId,
});
process.stdout.write(`started ${worker.workerId}\n`);
