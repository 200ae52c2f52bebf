// Starting and cancelling bulk sync executions. A start writes the execution row and enqueues its job in one
// transaction, keyed by the sync so that two executions of one sync never overlap; a second start while one is
// open is a conflict. A cancel sets the execution's cancel flag (read by whichever worker runs it) and aborts it at
// once when it runs in this process or is still waiting.
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import type { BulkExecutionRow } from '../persistence/repositories/bulk-executions-repository.ts';
import { bulkExecutionsRepository } from '../persistence/repositories/bulk-executions-repository.ts';
import type { BulkSyncRow } from '../persistence/repositories/bulk-syncs-repository.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { lockSyncRow } from '../persistence/repositories/sync-row-lock.ts';
import type { Database } from '../persistence/schema.ts';
import type { ExecutionStartType } from './execution-start-type.ts';
import { executionTransitions } from './execution-transitions.ts';

export const bulkExecutionTask = 'bulk-sync-execution';
const bulkExecutionJobKey = (syncId: string) => `bulk-sync:${syncId}`;

export interface StartBulkExecution {
  fetch_mode?: 'none' | 'incremental' | 'full';
  resync_mode?: 'refetch' | 'resync' | 'rebuild';
  schemas?: string[];
  test?: boolean;
}

export function bulkExecutionsService(
  context: Pick<AppContext, 'database' | 'repositories' | 'queue' | 'config' | 'clock'>,
) {
  const { repositories } = context;
  const transitions = executionTransitions(context);

  return {
    async start(sync: BulkSyncRow, options: StartBulkExecution): Promise<BulkExecutionRow> {
      if (options.test && options.resync_mode)
        throw unprocessableField('test', 'test and resync_mode cannot be combined');
      if (options.schemas?.length === 0)
        throw unprocessableField('schemas', 'must name at least one schema when given');
      return context.database.db.transaction().execute((tx) => this.startWithin(tx, sync, options));
    },

    /**
     * Starts an execution inside the caller's transaction: the scheduler's claim of a due schedule, the row and its
     * job then commit together. The sync's row is locked first (PostgreSQL), so that two starts cannot both find no
     * open execution. `type` says who started it (BulkSyncExecution.type).
     */
    async startWithin(
      tx: Transaction<Database>,
      sync: BulkSyncRow,
      options: StartBulkExecution,
      origin: { type: ExecutionStartType; scheduleId?: string } = { type: 'manual' },
    ): Promise<BulkExecutionRow> {
      const now = nowIso(context.clock);
      const row: BulkExecutionRow = {
        id: randomUUID(),
        sync_id: sync.id,
        organization_id: sync.organization_id,
        status: 'scheduled',
        type: origin.type,
        fetch_mode: options.fetch_mode ?? 'none',
        resync_mode: options.resync_mode ?? 'normal',
        is_test: options.test ? 1 : 0,
        requested_schemas: options.schemas ? JSON.stringify(options.schemas) : null,
        schemas: '[]',
        record_count: 0,
        error_count: 0,
        warning_count: 0,
        status_message: null,
        cancel_requested: 0,
        created_at: now,
        started_at: null,
        completed_at: null,
        updated_at: now,
        schedule_id: origin.scheduleId ?? null,
      };
      await lockSyncRow(tx, context.database.dialect, 'bulk_syncs', sync.id);
      const open = await bulkExecutionsRepository(tx).open(sync.id);
      if (open)
        throw new DomainError(
          'conflict',
          `Execution ${open.id} of this sync is still ${open.status}; cancel it or wait for it to finish.`,
          { details: { execution_id: open.id } },
        );
      await bulkExecutionsRepository(tx).insert(row);
      await context.queue.enqueue(tx, {
        task: bulkExecutionTask,
        payload: { version: 1, executionId: row.id },
        jobKey: bulkExecutionJobKey(sync.id),
        maxAttempts: 3,
      });
      return row;
    },

    /** Cancels the open execution (or the one named). Terminal executions cannot be cancelled. */
    async cancel(sync: BulkSyncRow, executionId?: string): Promise<BulkExecutionRow | undefined> {
      const execution = executionId
        ? await repositories.bulkExecutions.get(sync.id, executionId)
        : await repositories.bulkExecutions.open(sync.id);
      if (executionId && !execution) throw notFound('execution');
      if (!execution) return undefined;
      if (['completed', 'failed', 'canceled', 'errors', 'interrupted'].includes(execution.status)) {
        throw new DomainError('precondition_failed', `The execution is already ${execution.status}.`);
      }
      await repositories.bulkExecutions.update(execution.id, {
        cancel_requested: 1,
        status: 'canceling',
        updated_at: nowIso(context.clock),
      });
      const result = await context.queue.cancel({ jobKey: bulkExecutionJobKey(sync.id) });
      if (result.removed && !result.aborted) {
        const now = nowIso(context.clock);
        await transitions.bulk(execution.id, {
          status: 'canceled',
          completed_at: now,
          updated_at: now,
          status_message: 'Canceled before it started',
        });
      }
      return repositories.bulkExecutions.get(sync.id, execution.id);
    },
  };
}

export type BulkExecutionsService = ReturnType<typeof bulkExecutionsService>;
