// Bulk sync executions. An execution is "open" until it reaches a terminal status; one open execution per sync.
import type { Kysely } from 'kysely';
import type { BulkSyncExecutionsTable, Database } from '../schema.ts';

export type BulkExecutionRow = BulkSyncExecutionsTable;

export const terminalBulkStatuses = ['completed', 'failed', 'canceled', 'errors', 'interrupted'] as const;

export function bulkExecutionsRepository(db: Kysely<Database>) {
  return {
    async insert(row: BulkExecutionRow): Promise<void> {
      await db.insertInto('bulk_sync_executions').values(row).execute();
    },
    get(syncId: string, id: string): Promise<BulkExecutionRow | undefined> {
      return db
        .selectFrom('bulk_sync_executions')
        .selectAll()
        .where('id', '=', id)
        .where('sync_id', '=', syncId)
        .executeTakeFirst();
    },
    getAnywhere(id: string): Promise<BulkExecutionRow | undefined> {
      return db.selectFrom('bulk_sync_executions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    open(syncId: string): Promise<BulkExecutionRow | undefined> {
      return db
        .selectFrom('bulk_sync_executions')
        .selectAll()
        .where('sync_id', '=', syncId)
        .where('status', 'not in', [...terminalBulkStatuses])
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
    },
    latest(syncId: string, terminalOnly: boolean): Promise<BulkExecutionRow | undefined> {
      let query = db.selectFrom('bulk_sync_executions').selectAll().where('sync_id', '=', syncId);
      if (terminalOnly) query = query.where('status', 'in', [...terminalBulkStatuses]);
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
    },
    /** Keyset page by (created_at, id) in either direction. */
    page(
      syncId: string,
      options: { ascending: boolean; limit: number; onlyTerminal: boolean; after?: { created_at: string; id: string } },
    ): Promise<BulkExecutionRow[]> {
      const direction = options.ascending ? 'asc' : 'desc';
      let query = db.selectFrom('bulk_sync_executions').selectAll().where('sync_id', '=', syncId);
      if (options.onlyTerminal) query = query.where('status', 'in', [...terminalBulkStatuses]);
      if (options.after) {
        const { created_at, id } = options.after;
        const comparison = options.ascending ? '>' : '<';
        query = query.where((eb) =>
          eb.or([
            eb('created_at', comparison, created_at),
            eb.and([eb('created_at', '=', created_at), eb('id', comparison, id)]),
          ]),
        );
      }
      return query.orderBy('created_at', direction).orderBy('id', direction).limit(options.limit).execute();
    },
    async update(id: string, changes: Partial<BulkExecutionRow>): Promise<void> {
      await db.updateTable('bulk_sync_executions').set(changes).where('id', '=', id).execute();
    },
  };
}
