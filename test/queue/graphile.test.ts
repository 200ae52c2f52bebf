// The shared JobQueue suite on the graphile-worker adapter: a scratch PostgreSQL database per file.
import { createPostgresDatabase, postgresUnavailable } from '../kit/services.ts';
import { runJobQueueCases } from './job-queue.case.ts';
import { openQueueForProcess, type ProcessQueue } from './queue-for-process.ts';

runJobQueueCases({
  name: 'graphile-worker on PostgreSQL',
  leaseMs: 1_500,
  unavailable: postgresUnavailable,
  async create() {
    const scratch = await createPostgresDatabase('ferry_queue');
    const opened: ProcessQueue[] = [await openQueueForProcess('graphile', scratch.url)];
    return {
      db: opened[0]!.db,
      queue: opened[0]!.queue,
      async openAnother() {
        const another = await openQueueForProcess('graphile', scratch.url);
        opened.push(another);
        return another.queue;
      },
      vanishingWorkerArgs: ['graphile', scratch.url],
      async dispose() {
        for (const each of opened.reverse()) await each.close();
        await scratch.drop();
      },
    };
  },
});
