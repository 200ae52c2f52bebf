// Starting and cancelling model-sync executions. A start writes the execution row and enqueues its job in one
// transaction, keyed by the sync so that two executions of one sync never overlap; a second start while one is open
// is a conflict. A cancel sets the execution's cancel flag (read by whichever worker runs it) and aborts it at once
// when it runs in this process or is still waiting. `active` pauses a sync's schedule only: a manual start of an
// inactive sync runs (docs/model-syncs.md, "Executions").
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { AppContext } from '../app-context.ts';
import { DomainError, notFound, unprocessableField } from '../domain/domain-error.ts';
import { emptyCounts } from '../engine/model-sync/execution-counts.ts';
import { modeRules } from '../engine/model-sync/mode-rules.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { lockSyncRow } from '../persistence/repositories/sync-row-lock.ts';
import type { Database } from '../persistence/schema.ts';
import type { ExecutionStartType } from './execution-start-type.ts';
import { modelSyncNextExecutionTime } from './scheduling/next-execution-time.ts';
import type { JobPayload } from '../queue/job-queue.ts';
import {
  modelSyncExecutionsRepository,
  terminalModelSyncStatuses,
  type ModelSyncExecutionRow,
} from '../persistence/repositories/model-sync-executions-repository.ts';
import type { StoredModelSync } from './model-syncs-service.ts';
import { executionTransitions } from './execution-transitions.ts';

export const modelSyncExecutionTask = 'model-sync-execution';
const modelSyncExecutionJobKey = (syncId: string) => `model-sync:${syncId}`;
/** Attempts per execution: a retryable failure (a target or source that went away) is tried twice more, after the
 * queue's backoff (2.7 s, then 7.4 s); a crashed worker's attempt counts as one. */
export const modelSyncExecutionAttempts = 3;
/** Model rows a test execution reads. */
export const testExecutionRowLimit = 10;

/** The spec's StartSyncRequest. */
export interface StartModelSyncExecution {
  identities?: string[];
  resync?: boolean;
  test?: boolean;
}

/** `model_sync_executions.options`: what the start asked for, as the worker reads it. */
export type ExecutionOptions = StartModelSyncExecution;

export interface ExecutionPayload extends JobPayload {
  readonly version: 1;
  readonly executionId: string;
}

const isTerminal = (status: string) => (terminalModelSyncStatuses as readonly string[]).includes(status);

function executionType(options: StartModelSyncExecution): string {
  if (options.test) return 'test';
  if (options.identities) return 'identities';
  if (options.resync) return 'resync';
  return 'manual';
}

export function modelSyncExecutionsService(
  context: Pick<AppContext, 'database' | 'repositories' | 'queue' | 'clock' | 'config'>,
) {
  const { repositories } = context;
  const transitions = executionTransitions(context);

  const cancelOne = async (sync: StoredModelSync, execution: ModelSyncExecutionRow): Promise<ModelSyncExecutionRow> => {
    if (isTerminal(execution.status))
      throw new DomainError(
        'precondition_failed',
        `The execution is already ${execution.status}; only an open execution can be canceled.`,
        { details: { status: execution.status } },
      );
    await repositories.modelSyncExecutions.update(sync.organization_id, execution.id, {
      cancel_requested: 1,
      status: 'canceling',
      updated_at: nowIso(context.clock),
    });
    const result = await context.queue.cancel({ jobKey: modelSyncExecutionJobKey(sync.id) });
    if (result.removed && !result.aborted) {
      // It was waiting (first attempt or a retry): no worker holds it, so it is canceled now.
      const now = nowIso(context.clock);
      await transitions.model(sync.organization_id, execution.id, {
        status: 'canceled',
        completed_at: now,
        updated_at: now,
      });
    }
    return (await repositories.modelSyncExecutions.get(sync.organization_id, sync.id, execution.id))!;
  };

  return {
    async start(sync: StoredModelSync, options: StartModelSyncExecution): Promise<ModelSyncExecutionRow> {
      if (options.identities !== undefined) {
        if (options.identities.length === 0)
          throw unprocessableField('identities', 'must name at least one identity value when given');
        if (modeRules[sync.mode]?.keyedBy !== 'identity' || !sync.definition.identity) {
          throw unprocessableField(
            'identities',
            `a ${sync.mode} sync has no identity, so a run cannot be limited to identities`,
          );
        }
      }
      return context.database.db.transaction().execute((tx) => this.startWithin(tx, sync, options));
    },

    /**
     * Starts an execution inside the caller's transaction: the scheduler's claim of a due schedule, the row and its
     * job then commit together. The sync's row is locked first (PostgreSQL), so that two starts cannot both find no
     * open execution. A scheduled start has the type `scheduled`.
     */
    async startWithin(
      transaction: Transaction<Database>,
      sync: StoredModelSync,
      options: StartModelSyncExecution,
      origin: { type: ExecutionStartType; scheduleId?: string } = { type: 'manual' },
    ): Promise<ModelSyncExecutionRow> {
      const now = nowIso(context.clock);
      const row: ModelSyncExecutionRow = {
        id: randomUUID(),
        sync_id: sync.id,
        organization_id: sync.organization_id,
        status: 'queued',
        type: origin.type === 'scheduled' ? 'scheduled' : executionType(options),
        options: JSON.stringify({
          ...(options.identities ? { identities: options.identities } : {}),
          ...(options.resync ? { resync: true } : {}),
          ...(options.test ? { test: true } : {}),
        }),
        counts: JSON.stringify(emptyCounts()),
        errors: '[]',
        record_logs: null,
        cancel_requested: 0,
        created_at: now,
        started_at: null,
        completed_at: null,
        updated_at: now,
        schedule_id: origin.scheduleId ?? null,
      };
      await lockSyncRow(transaction, context.database.dialect, 'model_syncs', sync.id);
      const executions = modelSyncExecutionsRepository(transaction);
      const open = await executions.open(sync.organization_id, sync.id);
      if (open)
        throw new DomainError(
          'conflict',
          `Execution ${open.id} of this sync is still ${open.status}; cancel it or wait for it to finish.`,
          { details: { execution_id: open.id } },
        );
      await executions.insert(row);
      const payload: ExecutionPayload = { version: 1, executionId: row.id };
      await context.queue.enqueue(transaction, {
        task: modelSyncExecutionTask,
        payload,
        jobKey: modelSyncExecutionJobKey(sync.id),
        maxAttempts: modelSyncExecutionAttempts,
      });
      return row;
    },

    /** Cancels the sync's open execution; undefined when none is open. */
    async cancelOpen(sync: StoredModelSync): Promise<ModelSyncExecutionRow | undefined> {
      const open = await repositories.modelSyncExecutions.open(sync.organization_id, sync.id);
      return open ? cancelOne(sync, open) : undefined;
    },

    /** Cancels one execution: not found when it is not this sync's, precondition_failed when it has finished. */
    async cancel(sync: StoredModelSync, executionId: string): Promise<ModelSyncExecutionRow> {
      return cancelOne(sync, await this.require(sync, executionId));
    },

    async require(sync: StoredModelSync, executionId: string): Promise<ModelSyncExecutionRow> {
      const execution = await repositories.modelSyncExecutions.get(sync.organization_id, sync.id, executionId);
      if (!execution) throw notFound('execution');
      return execution;
    },

    async status(sync: StoredModelSync) {
      const current = await repositories.modelSyncExecutions.open(sync.organization_id, sync.id);
      const last = await repositories.modelSyncExecutions.latestTerminal(sync.organization_id, sync.id);
      const next = await modelSyncNextExecutionTime(context, sync);
      return { current, last, nextExecutionTime: next?.toISOString() };
    },
  };
}

export type ModelSyncExecutionsService = ReturnType<typeof modelSyncExecutionsService>;
