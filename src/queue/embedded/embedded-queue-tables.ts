// The embedded queue's one table, in the SQLite metadata database. Times are integer milliseconds since the epoch
// from the process clock: every process sharing the file runs on the same machine, so their clocks agree.
import { sql, type Kysely } from 'kysely';

export const embeddedQueueTable = 'queue_jobs';

/** Any Kysely over the file that holds the queue table: the queue reaches it in raw SQL, whatever the caller's types. */
export type QueueDatabase = Pick<Kysely<unknown>, 'schema' | 'getExecutor'>;

/** Idempotent; the persistence layer calls it from a migration, tests call it directly. */
export async function createEmbeddedQueueTables(db: QueueDatabase): Promise<void> {
  await db.schema
    .createTable(embeddedQueueTable)
    .ifNotExists()
    .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
    .addColumn('task', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    // Unique while set: the dedupe key of the job that currently owns it (graphile's `key`).
    .addColumn('job_key', 'text', (column) => column.unique())
    // The key the job was enqueued with, kept after a newer job takes over `job_key`: jobs of one group never run
    // concurrently (graphile gets the same from a named queue).
    .addColumn('key_group', 'text')
    .addColumn('priority', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('run_at', 'integer', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (column) => column.notNull())
    .addColumn('locked_by', 'text')
    // The lease: a claim is valid while locked_until is in the future; the worker renews it.
    .addColumn('locked_until', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('failed_at', 'integer')
    .addColumn('created_at', 'integer', (column) => column.notNull())
    .execute();
  // The claim's scan order; failed rows are out of the way.
  await sql`create index if not exists queue_jobs_claim on queue_jobs (priority, run_at, id) where failed_at is null`.execute(
    db,
  );
  await sql`create index if not exists queue_jobs_key_group on queue_jobs (key_group) where key_group is not null`.execute(
    db,
  );
}
