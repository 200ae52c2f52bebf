// Queue depth read from the database on scrape: every process of a scaled-out installation sees the same queue, so
// the figure comes from the shared storage, not from what one process enqueued. One grouped count over the queue's
// own table (embedded) or graphile-worker's public `jobs` view; finished jobs are deleted, so both stay small.
// The query is bounded (statement_timeout on PostgreSQL, a race on both) so a slow database cannot hang a scrape.
import { sql } from 'kysely';
import type { MetadataDatabase } from '../persistence/database.ts';
import { embeddedQueueTable } from '../queue/embedded/embedded-queue-tables.ts';
import type { Clock } from '../domain/clock.ts';
import type { QueueDepthRow } from './ferry-metrics.ts';

const queueDepthTimeoutMs = 2_000;

type Row = { task: string; state: QueueDepthRow['state']; count: number | string };

export function queueDepthReader(
  database: MetadataDatabase,
  queueKind: 'embedded' | 'graphile',
  clock: Clock,
  timeoutMs = queueDepthTimeoutMs,
): () => Promise<QueueDepthRow[]> {
  const read = async (): Promise<Row[]> => {
    if (queueKind === 'embedded') {
      const now = clock.nowMs();
      const result = await sql<Row>`
        select task,
               case when failed_at is not null then 'failed'
                    when locked_until is not null and locked_until > ${now} then 'running'
                    else 'pending' end as state,
               count(*) as count
        from ${sql.table(embeddedQueueTable)}
        group by 1, 2`.execute(database.db);
      return result.rows;
    }
    return database.db.transaction().execute(async (transaction) => {
      await sql.raw(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`).execute(transaction);
      const result = await sql<Row>`
        select task_identifier as task,
               case when locked_at is not null then 'running'
                    when attempts >= max_attempts then 'failed'
                    else 'pending' end as state,
               count(*)::int as count
        from graphile_worker.jobs
        group by 1, 2`.execute(transaction);
      return result.rows;
    });
  };
  return async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`queue depth query took over ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const rows = await Promise.race([read(), timeout]);
      return rows.map((row) => ({ task: row.task, state: row.state, count: Number(row.count) }));
    } finally {
      clearTimeout(timer);
    }
  };
}
