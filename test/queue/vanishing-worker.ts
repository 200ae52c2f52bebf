// A worker process for the lease case: it claims one job, says so on stdout, and hangs until the test kills it
// with SIGKILL, so it never releases the job. argv: <embedded|graphile> <sqlite path|postgres url> <task> <leaseMs>
import { openQueueForProcess } from './queue-for-process.ts';

const [adapter, location, task, leaseMs] = process.argv.slice(2);
const { queue } = await openQueueForProcess(adapter as 'embedded' | 'graphile', location!);
await queue.start({
  tasks: {
    [task!]: async (_payload, context) => {
      process.stdout.write(`claimed ${context.jobId}\n`);
      await new Promise(() => {});
    },
  },
  concurrency: 1,
  pollIntervalMs: 100,
  leaseMs: Number(leaseMs),
});
