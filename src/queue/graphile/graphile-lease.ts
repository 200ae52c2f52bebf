// Ferry's lease on top of graphile-worker. graphile-worker 0.17 frees a locked job only when its locked_at is
// older than a fixed 4 hours (resetLockedAt.ts, run every 8–10 min by each pool), whatever the worker is doing:
// a crashed worker's sync would wait 4 h, and a live sync running past 4 h would be handed to a second worker.
// Ferry turns locked_at into a renewed lease instead:
//   - every heartbeatIntervalMs a pool moves locked_at to now() on the jobs and named queues it holds
//     (refreshLeases), and learns which of its jobs it still holds;
//   - every pool also frees the locks of workers whose locked_at is older than leaseMs (reclaimExpiredLeases),
//     through graphile's public force_unlock_workers(); a job freed that way keeps its attempt count.
// A worker restarting under its own identity frees its dead pools' jobs sooner (graphile-identity.ts).
// Both statements touch graphile's private tables: reading and bumping locked_at is the one write Ferry makes
// there outside the failure path (graphile-failure.ts). It is pinned to 0.17.3 and covered by the shared suite.
import type pg from 'pg';
import { unregisterPools } from './graphile-identity.ts';

function identifier(schema: string): string {
  return `"${schema.replaceAll('"', '""')}"`;
}

/**
 * Renews the lease of every job and named queue that `poolId` holds, and returns the ids of those jobs: a job that
 * this pool runs but that is missing was freed by another pool (this one stalled past the lease). One round trip.
 */
export async function refreshLeases(pool: pg.Pool, schema: string, poolId: string): Promise<Set<string>> {
  const s = identifier(schema);
  const result = await pool.query<{ id: string }>(
    `with renewed_jobs as (
       update ${s}._private_jobs set locked_at = now() where locked_by = $1 returning id
     ), renewed_queues as (
       update ${s}._private_job_queues set locked_at = now() where locked_by = $1 returning 1
     )
     select id::text from renewed_jobs`,
    [poolId],
  );
  return new Set(result.rows.map((row) => row.id));
}

/**
 * Frees everything held by workers that stopped renewing for leaseMs. Any pool may run it; it is idempotent, and
 * two pools running it at once free the same locks twice, harmlessly. The scan is on the partial index graphile
 * keeps on locked jobs, so it costs little next to the claim.
 */
export async function reclaimExpiredLeases(pool: pg.Pool, schema: string, leaseMs: number): Promise<string[]> {
  const s = identifier(schema);
  const result = await pool.query<{ locked_by: string }>(
    `select locked_by from ${s}._private_jobs where locked_at < now() - $1 * interval '1 millisecond'
     union
     select locked_by from ${s}._private_job_queues where locked_at < now() - $1 * interval '1 millisecond'`,
    [leaseMs],
  );
  const dead = result.rows.map((row) => row.locked_by).filter((id): id is string => typeof id === 'string');
  if (dead.length > 0) {
    await pool.query(`select ${s}.force_unlock_workers($1::text[])`, [dead]);
    await unregisterPools(pool, schema, dead);
  }
  return dead;
}

export { identifier as quoteSchema };
