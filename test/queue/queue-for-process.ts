// Opens a queue on an existing database the way a separate Ferry process would: its own connections.
import type { Kysely } from 'kysely';
import type { Database } from '../../src/persistence/schema.ts';
import { openPostgres, openSqlite } from '../../src/persistence/database.ts';
import type { JobQueue } from '../../src/queue/job-queue.ts';
import { createEmbeddedJobQueue } from '../../src/queue/embedded/embedded-job-queue.ts';
import { createGraphileJobQueue } from '../../src/queue/graphile/graphile-job-queue.ts';

export interface ProcessQueue {
  queue: JobQueue;
  db: Kysely<Database>;
  /** Closes the queue, then the database. */
  close(): Promise<void>;
}

export async function openQueueForProcess(adapter: 'embedded' | 'graphile', location: string): Promise<ProcessQueue> {
  const database = adapter === 'embedded' ? openSqlite(location) : openPostgres(location, 4);
  const db = database.db;
  const queue =
    adapter === 'embedded'
      ? createEmbeddedJobQueue({ db })
      : createGraphileJobQueue({ connectionString: location, maxPoolSize: 8 });
  await queue.prepare();
  return {
    queue,
    db,
    async close() {
      await queue.close();
      await database.close();
    },
  };
}
