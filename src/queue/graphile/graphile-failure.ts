// Makes graphile-worker's failure path follow Ferry's retry policy (retry-policy.ts). graphile's failJob, which
// runs after the task throws, sets run_at = greatest(now(), run_at) + exp(min(attempts, 10)) s and keeps the job
// unless attempts >= max_attempts. So, while the job is still locked by this pool and just before rethrowing:
//   - `fail`: max_attempts = attempts, and graphile leaves it permanently failed;
//   - `retry` with a delay longer than graphile's backoff: run_at = now() + delay - backoff, so that graphile's
//     addition lands on now() + delay. A shorter delay cannot be had: graphile's backoff is the floor.
// This is a write to graphile's private table, guarded by locked_by so that it only touches a job this pool holds.
import type pg from 'pg';
import type { RetryDecision } from '../retry-policy.ts';
import { quoteSchema } from './graphile-lease.ts';

export async function prepareGraphileFailure(
  pool: pg.Pool,
  schema: string,
  jobId: string,
  poolId: string,
  decision: RetryDecision,
): Promise<void> {
  const s = quoteSchema(schema);
  if (decision.kind === 'fail') {
    await pool.query(`update ${s}._private_jobs set max_attempts = attempts where id = $1 and locked_by = $2`, [
      jobId,
      poolId,
    ]);
    return;
  }
  await pool.query(
    `update ${s}._private_jobs
        set run_at = now() + $3 * interval '1 millisecond' - exp(least(attempts, 10)) * interval '1 second'
      where id = $1 and locked_by = $2`,
    [jobId, poolId, decision.delayMs],
  );
}

/**
 * A job handed back (its worker stopping or losing its lease, or the handler deferring it): the attempt is not
 * counted, and graphile's failJob then unlocks it for `delayMs`, or for its backoff floor if that is longer
 * (exp(attempts) s with the attempt given back: 1 s on a first attempt).
 */
export async function prepareGraphileHandBack(
  pool: pg.Pool,
  schema: string,
  jobId: string,
  poolId: string,
  delayMs: number,
): Promise<void> {
  const s = quoteSchema(schema);
  await pool.query(
    `update ${s}._private_jobs
        set attempts = greatest(attempts - 1, 0),
            run_at = now() + $3 * interval '1 millisecond' - exp(least(greatest(attempts - 1, 0), 10)) * interval '1 second'
      where id = $1 and locked_by = $2`,
    [jobId, poolId, delayMs],
  );
}
