// Status changes of model-sync and bulk executions, each written together with the event it means (docs/events.md)
// in one transaction: the execution row, the event, the webhook delivery job and the failure-email job commit or
// roll back together, so no event is lost (a change without its event) and none is invented (an event for a change
// that rolled back). Which change means which event:
// - the first time an execution runs (started_at was empty) → `*.running`; a retry that runs again records none;
// - the first time it reaches completed, failed or canceled → the matching terminal event; `completed` with
//   rejected records (model) or errors (bulk) is `sync.completed_with_errors` / `bulk_sync.completed_with_error`.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AppContext } from '../app-context.ts';
import type { Database } from '../persistence/schema.ts';
import {
  bulkExecutionsRepository,
  type BulkExecutionRow,
} from '../persistence/repositories/bulk-executions-repository.ts';
import { bulkSyncsRepository } from '../persistence/repositories/bulk-syncs-repository.ts';
import { eventsRepository, type EventRow } from '../persistence/repositories/events-repository.ts';
import {
  modelSyncExecutionsRepository,
  type ModelSyncExecutionRow,
} from '../persistence/repositories/model-sync-executions-repository.ts';
import { modelSyncsRepository } from '../persistence/repositories/model-syncs-repository.ts';
import { webhooksRepository } from '../persistence/repositories/webhooks-repository.ts';
import { EventType, failureEventTypes } from './event-types.ts';

export const webhookDeliveryTask = 'webhook-delivery';
export const failureEmailTask = 'failure-email';
/** The first attempt and five retries (Polytomic retries a delivery five times). */
export const webhookDeliveryAttempts = 6;

export interface WebhookDeliveryPayload {
  readonly version: 1;
  readonly eventId: string;
  readonly webhookId: string;
  readonly [field: string]: unknown;
}

export interface FailureEmailPayload {
  readonly version: 1;
  readonly eventId: string;
  readonly [field: string]: unknown;
}

const terminal = ['completed', 'failed', 'canceled'];

type TransitionContext = Pick<AppContext, 'database' | 'queue' | 'config' | 'clock'>;

function terminalEventOf(
  previous: string,
  next: string,
  withErrors: boolean,
  types: { completed: EventType; withErrors: EventType; failed: EventType; canceled: EventType },
): EventType | undefined {
  if (!terminal.includes(next) || terminal.includes(previous)) return undefined;
  if (next === 'completed') return withErrors ? types.withErrors : types.completed;
  return next === 'failed' ? types.failed : types.canceled;
}

function errorCountOf(counts: string): number {
  const parsed = JSON.parse(counts) as { error?: number };
  return typeof parsed.error === 'number' ? parsed.error : 0;
}

function modelEventPayload(
  type: EventType,
  execution: ModelSyncExecutionRow,
  sync: { name: string; target_connection_id: string },
): Record<string, unknown> {
  const base = {
    execution_id: execution.id,
    organization_id: execution.organization_id,
    sync_id: execution.sync_id,
    sync_name: sync.name,
    target_connection_id: sync.target_connection_id,
  };
  const counts = JSON.parse(execution.counts) as Record<string, number>;
  const errors = JSON.parse(execution.errors) as string[];
  switch (type) {
    case EventType.syncCompleted:
      return {
        ...base,
        status: execution.status,
        trigger: execution.type,
        record_count: counts.total ?? 0,
        inserted_count: counts.insert ?? 0,
        updated_count: counts.update ?? 0,
        upserted_count: counts.upserts ?? 0,
        error_count: counts.error ?? 0,
        warning_count: counts.warnings ?? 0,
      };
    case EventType.syncCompletedWithErrors:
      return {
        ...base,
        number_of_errors: counts.error ?? 0,
        number_of_warnings: counts.warnings ?? 0,
        ...(errors.length ? { error: errors.at(-1) } : {}),
      };
    case EventType.syncFailed:
      return { ...base, error: errors.at(-1) ?? 'The execution failed.' };
    case EventType.syncCanceled:
      return { ...base, status: execution.status };
    default:
      return base;
  }
}

function bulkEventPayload(
  type: EventType,
  execution: BulkExecutionRow,
  sync: { name: string; source_connection_id: string; destination_connection_id: string },
): Record<string, unknown> {
  const base = {
    execution_id: execution.id,
    organization_id: execution.organization_id,
    sync_id: execution.sync_id,
    sync_name: sync.name,
    source_connection_id: sync.source_connection_id,
    destination_connection_id: sync.destination_connection_id,
  };
  const triggerSource = (execution as { schedule_id?: string | null }).schedule_id ? 'schedule' : 'manual';
  if (type === EventType.bulkSyncFailed)
    return { ...base, trigger_source: triggerSource, error: execution.status_message ?? 'The execution failed.' };
  if (type === EventType.bulkSyncCompleted || type === EventType.bulkSyncCompletedWithError)
    return { ...base, trigger_source: triggerSource };
  return base;
}

/** Writes one event, and in the same transaction the jobs that deliver it (webhook) and email it (failures). */
async function recordEvent(
  context: TransitionContext,
  transaction: Transaction<Database>,
  organizationId: string,
  type: EventType,
  payload: Record<string, unknown>,
): Promise<EventRow> {
  const row: EventRow = {
    id: randomUUID(),
    organization_id: organizationId,
    type,
    payload: JSON.stringify(payload),
    created_at: context.clock.now().toISOString(),
  };
  await eventsRepository(transaction).insert(row);
  const webhook = await webhooksRepository(transaction).forOrganization(organizationId);
  if (webhook && webhook.disabled === 0) {
    const job: WebhookDeliveryPayload = { version: 1, eventId: row.id, webhookId: webhook.id };
    await context.queue.enqueue(transaction, {
      task: webhookDeliveryTask,
      payload: job,
      maxAttempts: webhookDeliveryAttempts,
    });
  }
  if (context.config.smtpUrl && failureEventTypes.includes(type)) {
    const job: FailureEmailPayload = { version: 1, eventId: row.id };
    await context.queue.enqueue(transaction, { task: failureEmailTask, payload: job, maxAttempts: 5 });
  }
  return row;
}

export interface ExecutionTransitions {
  /**
   * Records the `running` event of an execution that has just been marked running inside `transaction`, when this
   * is its first run (`firstRun`: it had no started_at before).
   */
  started(transaction: Kysely<Database>, kind: 'model' | 'bulk', executionId: string, firstRun: boolean): Promise<void>;
  /** Applies `changes` to a model-sync execution, recording the event the change means, if any. */
  model(organizationId: string, executionId: string, changes: Partial<ModelSyncExecutionRow>): Promise<void>;
  /** Applies `changes` to a bulk execution, recording the event the change means, if any. */
  bulk(executionId: string, changes: Partial<BulkExecutionRow>): Promise<void>;
}

export function executionTransitions(context: TransitionContext): ExecutionTransitions {
  const db = context.database.db as Kysely<Database>;
  return {
    async started(transaction, kind, executionId, firstRun) {
      if (!firstRun) return;
      const tx = transaction as Transaction<Database>;
      if (kind === 'model') {
        const execution = await modelSyncExecutionsRepository(tx).getAnywhere(executionId);
        const sync = execution && (await modelSyncsRepository(tx).get(execution.organization_id, execution.sync_id));
        if (!execution || !sync) return;
        const type = EventType.syncRunning;
        await recordEvent(context, tx, execution.organization_id, type, modelEventPayload(type, execution, sync));
      } else {
        const execution = await bulkExecutionsRepository(tx).getAnywhere(executionId);
        const sync = execution && (await bulkSyncsRepository(tx).get(execution.organization_id, execution.sync_id));
        if (!execution || !sync) return;
        const type = EventType.bulkSyncRunning;
        await recordEvent(context, tx, execution.organization_id, type, bulkEventPayload(type, execution, sync));
      }
    },
    async model(organizationId, executionId, changes) {
      await db.transaction().execute(async (transaction) => {
        const executions = modelSyncExecutionsRepository(transaction);
        const previous = await executions.getAnywhere(executionId);
        if (!previous || previous.organization_id !== organizationId) return;
        await executions.update(organizationId, executionId, changes);
        const next: ModelSyncExecutionRow = { ...previous, ...changes };
        const type =
          next.status === 'running' && previous.started_at === null
            ? EventType.syncRunning
            : terminalEventOf(previous.status, next.status, errorCountOf(next.counts) > 0, {
                completed: EventType.syncCompleted,
                withErrors: EventType.syncCompletedWithErrors,
                failed: EventType.syncFailed,
                canceled: EventType.syncCanceled,
              });
        if (!type) return;
        const sync = await modelSyncsRepository(transaction).get(organizationId, next.sync_id);
        if (!sync) return;
        await recordEvent(context, transaction, organizationId, type, modelEventPayload(type, next, sync));
      });
    },
    async bulk(executionId, changes) {
      await db.transaction().execute(async (transaction) => {
        const executions = bulkExecutionsRepository(transaction);
        const previous = await executions.getAnywhere(executionId);
        if (!previous) return;
        await executions.update(executionId, changes);
        const next: BulkExecutionRow = { ...previous, ...changes };
        const type =
          next.status === 'running' && previous.started_at === null
            ? EventType.bulkSyncRunning
            : terminalEventOf(previous.status, next.status, next.error_count > 0, {
                completed: EventType.bulkSyncCompleted,
                withErrors: EventType.bulkSyncCompletedWithError,
                failed: EventType.bulkSyncFailed,
                canceled: EventType.bulkSyncCanceled,
              });
        if (!type) return;
        const sync = await bulkSyncsRepository(transaction).get(next.organization_id, next.sync_id);
        if (!sync) return;
        await recordEvent(context, transaction, next.organization_id, type, bulkEventPayload(type, next, sync));
      });
    },
  };
}
