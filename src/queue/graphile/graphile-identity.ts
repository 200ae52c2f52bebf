// A graphile worker's stable identity (worker-slot.ts) on PostgreSQL. graphile-worker 0.17 locks jobs with
// `locked_by` = its pool id, a random `pool-<hex>` made inside run() that no option sets, so the identity cannot be
// `locked_by` itself. Instead:
//   - the slot is a session advisory lock, held on a connection of its own for the worker's lifetime; the server
//     drops it when that session ends, which it does when the process dies;
//   - a table of Ferry's in graphile's schema, `ferry_worker_pools`, records which pool ids ran under which slot;
//   - a worker that takes a slot frees the jobs of the pool ids registered under it with graphile's public
//     `force_unlock_workers()` (what graphile's docs advise after a crash, given the crashed pool's id), then
//     deletes them from the table. The jobs keep their attempt count, as when a lease expires.
import type pg from 'pg';
import type { SlotLock } from '../worker-slot.ts';

const workerPoolsTable = 'ferry_worker_pools';

function qualified(schema: string, name: string): string {
  return `"${schema.replaceAll('"', '""')}"."${name}"`;
}

/** Idempotent, and safe when several processes prepare at once. */
export async function createWorkerPoolsTable(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(
      `create table if not exists ${qualified(schema, workerPoolsTable)} (
         pool_id text primary key,
         worker_id text not null,
         started_at timestamptz not null default now())`,
    );
  } catch (error: unknown) {
    // Two concurrent `create table if not exists` can both pass the check; the loser sees the winner's type or table.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
}

export interface GraphileSlotLock extends SlotLock {
  /** The session that holds the advisory lock; the caller watches it for 'error' (a lost lock). */
  readonly client: pg.PoolClient;
}

/** The lock key: one per slot and graphile schema (two schemas are two separate queues). */
function lockKeyText(schema: string, slotId: string): string {
  return `ferry-worker:${schema}:${slotId}`;
}

export async function tryGraphileSlotLock(
  pool: pg.Pool,
  schema: string,
  slotId: string,
): Promise<GraphileSlotLock | undefined> {
  const client = await pool.connect();
  let held = false;
  try {
    const result = await client.query<{ held: boolean }>(
      'select pg_try_advisory_lock(hashtextextended($1, 0)) as held',
      [lockKeyText(schema, slotId)],
    );
    held = result.rows[0]?.held === true;
  } finally {
    if (!held) client.release();
  }
  if (!held) return undefined;
  let released = false;
  return {
    client,
    async release() {
      if (released) return;
      released = true;
      try {
        await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [lockKeyText(schema, slotId)]);
      } catch {
        // The session is gone already, and its lock with it.
      }
      // Destroyed rather than returned to the pool: it carries the worker's listener for a lost lock.
      client.release(true);
    },
  };
}

/**
 * Frees what the slot's earlier pools still hold (all but `ownPoolId`, the caller's pool when it takes a slot again
 * after losing its lock); runs on the lock's own session, in one transaction. Returns the ids of the jobs it freed.
 */
export async function releaseDeadSlotPools(
  client: pg.PoolClient,
  schema: string,
  slotId: string,
  ownPoolId = '',
): Promise<string[]> {
  const s = `"${schema.replaceAll('"', '""')}"`;
  await client.query('begin');
  try {
    const pools = (
      await client.query<{ pool_id: string }>(
        `delete from ${qualified(schema, workerPoolsTable)} where worker_id = $1 and pool_id <> $2 returning pool_id`,
        [slotId, ownPoolId],
      )
    ).rows.map((row) => row.pool_id);
    let jobs: string[] = [];
    if (pools.length > 0) {
      jobs = (
        await client.query<{ id: string }>(
          `select id::text from ${s}._private_jobs where locked_by = any($1::text[])`,
          [pools],
        )
      ).rows.map((row) => row.id);
      await client.query(`select ${s}.force_unlock_workers($1::text[])`, [pools]);
    }
    await client.query('commit');
    return jobs;
  } catch (error: unknown) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

export async function registerPool(pool: pg.Pool, schema: string, poolId: string, slotId: string): Promise<void> {
  await pool.query(
    `insert into ${qualified(schema, workerPoolsTable)} (pool_id, worker_id) values ($1, $2)
     on conflict (pool_id) do update set worker_id = excluded.worker_id`,
    [poolId, slotId],
  );
}

export async function unregisterPools(pool: pg.Pool, schema: string, poolIds: readonly string[]): Promise<void> {
  if (poolIds.length === 0) return;
  await pool.query(`delete from ${qualified(schema, workerPoolsTable)} where pool_id = any($1::text[])`, [poolIds]);
}
