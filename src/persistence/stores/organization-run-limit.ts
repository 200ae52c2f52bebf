// The per-organization limit on running executions (FERRY_ORGANIZATION_CONCURRENCY), decided where the executions
// are: an execution becomes `running` only if fewer than `limit` executions of its organization (bulk and model
// syncs together) are running or canceling. The check and the write are one statement, and on PostgreSQL the
// statement runs under a transaction-scoped advisory lock of the organization, so that two workers on two machines
// starting the organization's executions at the same moment cannot both take its last place. (SQLite runs one write
// statement at a time, which gives the same.) A worker that dies leaves its execution `running` until the queue's
// lease gives the job to another worker, which resumes that same execution: the place stays taken meanwhile.
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import type { Database } from '../schema.ts';

type ExecutionTable = 'bulk_sync_executions' | 'model_sync_executions';

export interface StartWithinLimit {
  table: ExecutionTable;
  executionId: string;
  organizationId: string;
  /** Undefined: no limit, the execution starts. */
  limit: number | undefined;
  /** ISO time; kept as started_at when the execution had not started before (an earlier attempt). */
  now: string;
  /** Runs in the same transaction when the execution started (its `running` event is written there). */
  onStarted?: (transaction: Kysely<Database>) => Promise<void>;
}

/** Marks the execution running and returns true, or returns false (and changes nothing) when its organization is at its limit. */
export async function startWithinOrganizationLimit(
  db: Kysely<Database>,
  dialect: DialectName,
  start: StartWithinLimit,
): Promise<boolean> {
  const { table, executionId, organizationId, limit, now, onStarted } = start;
  const running = (other: ExecutionTable) =>
    sql<number>`(select count(*) from ${sql.table(other)} where organization_id = ${organizationId} and status in ('running', 'canceling') and id <> ${executionId})`;
  const update = (executor: Kysely<Database>) =>
    sql`update ${sql.table(table)} set status = 'running', started_at = coalesce(started_at, ${now}), updated_at = ${now}
         where id = ${executionId}
           ${limit === undefined ? sql`` : sql`and ${running('bulk_sync_executions')} + ${running('model_sync_executions')} < ${limit}`}`.execute(
      executor,
    );
  if (!onStarted && (limit === undefined || dialect === 'sqlite')) {
    const result = await update(db);
    return Number(result.numAffectedRows ?? 0) > 0;
  }
  return db.transaction().execute(async (transaction) => {
    if (limit !== undefined && dialect !== 'sqlite')
      await sql`select pg_advisory_xact_lock(hashtext(${`ferry:organization-runs:${organizationId}`}))`.execute(
        transaction,
      );
    const result = await update(transaction);
    const started = Number(result.numAffectedRows ?? 0) > 0;
    if (started) await onStarted?.(transaction);
    return started;
  });
}
