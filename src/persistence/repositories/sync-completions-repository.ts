// When syncs' executions finished, as the scheduler reads it: the gap of a continuous schedule runs from the last
// finish, and a runafter schedule fires on the finishes of the syncs it follows.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { terminalBulkStatuses } from './bulk-executions-repository.ts';
import { terminalModelSyncStatuses } from './model-sync-executions-repository.ts';
import type { SyncKind } from './schedule-states-repository.ts';

export interface SyncCompletion {
  sync_id: string;
  status: string;
  completed_at: string;
}

const tableOf = (kind: SyncKind) => (kind === 'bulk' ? 'bulk_sync_executions' : 'model_sync_executions');
const terminalOf = (kind: SyncKind): readonly string[] =>
  kind === 'bulk' ? terminalBulkStatuses : terminalModelSyncStatuses;

export function syncCompletionsRepository(db: Kysely<Database>) {
  return {
    /** When the sync's last finished execution finished; undefined when none has. */
    async lastCompletedAt(kind: SyncKind, syncId: string): Promise<string | undefined> {
      const row = await db
        .selectFrom(tableOf(kind))
        .select((eb) => eb.fn.max('completed_at').as('last'))
        .where('sync_id', '=', syncId)
        .where('status', 'in', [...terminalOf(kind)])
        .executeTakeFirst();
      return row?.last ?? undefined;
    },
    /** Finished executions of these syncs (in the organization) that finished after `after`, oldest first. */
    async since(kind: SyncKind, organizationId: string, syncIds: string[], after: string): Promise<SyncCompletion[]> {
      if (syncIds.length === 0) return [];
      const rows = await db
        .selectFrom(tableOf(kind))
        .select(['sync_id', 'status', 'completed_at'])
        .where('organization_id', '=', organizationId)
        .where('sync_id', 'in', syncIds)
        .where('status', 'in', [...terminalOf(kind)])
        .where('completed_at', '>', after)
        .orderBy('completed_at')
        .execute();
      return rows.filter((row): row is SyncCompletion => row.completed_at !== null);
    },
  };
}
