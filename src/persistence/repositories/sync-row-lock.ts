// Serialises the starts of one sync across processes: a start (from the API or the scheduler) locks the sync's row
// in its transaction before it looks for an open execution, so two starts cannot both see none. PostgreSQL only:
// SQLite transactions already run one at a time.
import type { Transaction } from 'kysely';
import type { DialectName } from '../database.ts';
import type { Database } from '../schema.ts';

/**
 * Locks the sync's row until the transaction ends. With `skipLocked`, a row another transaction holds is not waited
 * for: the answer is false, and the caller leaves the sync to whoever holds it. True when the row is locked (or, on
 * SQLite, exists).
 */
export async function lockSyncRow(
  transaction: Transaction<Database>,
  dialect: DialectName,
  table: 'bulk_syncs' | 'model_syncs',
  syncId: string,
  options: { skipLocked?: boolean } = {},
): Promise<boolean> {
  let query = transaction.selectFrom(table).select('id').where('id', '=', syncId);
  if (dialect === 'postgres') query = options.skipLocked ? query.forUpdate().skipLocked() : query.forUpdate();
  return (await query.executeTakeFirst()) !== undefined;
}
