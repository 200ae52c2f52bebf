// The queue follows the metadata database: the embedded SQLite queue in the same file, or graphile-worker in the
// same PostgreSQL, so that enqueueing happens in the transaction that writes the execution row.
import type { FerryConfig } from '../config.ts';
import { type Clock, systemClock } from '../domain/clock.ts';
import type { RunLogger } from '../domain/run-context.ts';
import type { MetadataDatabase } from '../persistence/database.ts';
import { createEmbeddedJobQueue } from '../queue/embedded/embedded-job-queue.ts';
import { createGraphileJobQueue } from '../queue/graphile/graphile-job-queue.ts';
import type { JobQueue } from '../queue/job-queue.ts';

export async function createJobQueue(
  config: FerryConfig,
  database: MetadataDatabase,
  log: RunLogger,
  clock: Clock = systemClock,
): Promise<JobQueue> {
  const queue =
    database.dialect === 'postgres'
      ? createGraphileJobQueue({
          connectionString: config.databaseUrl,
          log,
          clock,
          // graphile holds a connection per running job, plus its LISTEN, the heartbeat and the identity lock.
          maxPoolSize: Math.max(10, config.workerConcurrency + 4),
        })
      : createEmbeddedJobQueue({ db: database.db, clock });
  await queue.prepare();
  return queue;
}
