// Model-sync executions. An execution is "open" until it reaches a terminal status; one open execution per sync
// (the start checks it in the transaction that inserts the row, and the queue key serialises the jobs).
import type { Kysely } from 'kysely';
import type { Database, ModelSyncExecutionsTable } from '../schema.ts';

export type ModelSyncExecutionRow = ModelSyncExecutionsTable;

export const terminalModelSyncStatuses = ['completed', 'failed', 'canceled', 'interrupted'] as const;

export interface ExecutionPageOptions {
  ascending: boolean;
  limit: number;
  onlyCompleted: boolean;
  /** Keyset position: rows strictly after this (created_at, id) in the page's direction. */
  after?: { created_at: string; id: string };
}

export function modelSyncExecutionsRepository(db: Kysely<Database>) {
  const inOrganization = (organizationId: string, syncId: string) =>
    db
      .selectFrom('model_sync_executions')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('sync_id', '=', syncId);
  return {
    async insert(row: ModelSyncExecutionRow): Promise<void> {
      await db.insertInto('model_sync_executions').values(row).execute();
    },
    get(organizationId: string, syncId: string, id: string): Promise<ModelSyncExecutionRow | undefined> {
      return inOrganization(organizationId, syncId).where('id', '=', id).executeTakeFirst();
    },
    /** For the worker and entity lookup, which find the organization on the row itself. */
    getAnywhere(id: string): Promise<ModelSyncExecutionRow | undefined> {
      return db.selectFrom('model_sync_executions').selectAll().where('id', '=', id).executeTakeFirst();
    },
    open(organizationId: string, syncId: string): Promise<ModelSyncExecutionRow | undefined> {
      return inOrganization(organizationId, syncId)
        .where('status', 'not in', [...terminalModelSyncStatuses])
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
    },
    latestTerminal(organizationId: string, syncId: string): Promise<ModelSyncExecutionRow | undefined> {
      return inOrganization(organizationId, syncId)
        .where('status', 'in', [...terminalModelSyncStatuses])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .executeTakeFirst();
    },
    /** Keyset page by (created_at, id) in either direction; uses the (sync_id, created_at) index. */
    page(organizationId: string, syncId: string, options: ExecutionPageOptions): Promise<ModelSyncExecutionRow[]> {
      const direction = options.ascending ? 'asc' : 'desc';
      let query = inOrganization(organizationId, syncId);
      if (options.onlyCompleted) query = query.where('status', '=', 'completed');
      const after = options.after;
      if (after) {
        const comparison = options.ascending ? '>' : '<';
        query = query.where((eb) =>
          eb.or([
            eb('created_at', comparison, after.created_at),
            eb.and([eb('created_at', '=', after.created_at), eb('id', comparison, after.id)]),
          ]),
        );
      }
      return query.orderBy('created_at', direction).orderBy('id', direction).limit(options.limit).execute();
    },
    async update(
      organizationId: string,
      id: string,
      changes: Partial<Omit<ModelSyncExecutionRow, 'id' | 'organization_id' | 'sync_id'>>,
    ): Promise<void> {
      await db
        .updateTable('model_sync_executions')
        .set(changes)
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .execute();
    },
  };
}
