// The scheduler's state rows (migration 0011): one per firing schedule of a sync.
import type { Kysely } from 'kysely';
import type { Database, ScheduleStatesTable } from '../schema.ts';

export type ScheduleStateRow = ScheduleStatesTable;
export type SyncKind = 'bulk' | 'model';

export interface ScheduleStateKey {
  sync_kind: string;
  sync_id: string;
  schedule_id: string;
}

export function scheduleStatesRepository(db: Kysely<Database>) {
  return {
    all(): Promise<ScheduleStateRow[]> {
      return db.selectFrom('schedule_states').selectAll().execute();
    },
    ofSync(kind: SyncKind, syncId: string): Promise<ScheduleStateRow[]> {
      return db
        .selectFrom('schedule_states')
        .selectAll()
        .where('sync_kind', '=', kind)
        .where('sync_id', '=', syncId)
        .execute();
    },
    /** Adds the row unless another process added it first (then its row stands). */
    async insertIfMissing(row: ScheduleStateRow): Promise<void> {
      await db
        .insertInto('schedule_states')
        .values(row)
        .onConflict((conflict) => conflict.columns(['sync_kind', 'sync_id', 'schedule_id']).doNothing())
        .execute();
    },
    async remove(key: ScheduleStateKey): Promise<void> {
      await db
        .deleteFrom('schedule_states')
        .where('sync_kind', '=', key.sync_kind)
        .where('sync_id', '=', key.sync_id)
        .where('schedule_id', '=', key.schedule_id)
        .execute();
    },
    /**
     * Writes `changes` and advances the row's version, only if nobody did since the caller read version `seen`.
     * True when this caller's write won. Under PostgreSQL's read committed, a concurrent claimant waits for the
     * first one's commit, then finds the version moved and updates nothing.
     */
    async advance(
      key: ScheduleStateKey,
      seen: number,
      changes: Partial<Omit<ScheduleStateRow, 'sync_kind' | 'sync_id' | 'schedule_id' | 'claims'>>,
    ): Promise<boolean> {
      const result = await db
        .updateTable('schedule_states')
        .set({ ...changes, claims: seen + 1 })
        .where('sync_kind', '=', key.sync_kind)
        .where('sync_id', '=', key.sync_id)
        .where('schedule_id', '=', key.schedule_id)
        .where('claims', '=', seen)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
