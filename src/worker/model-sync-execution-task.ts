// The job that runs one model-sync execution: build the engine's plan from the stored sync, open the model's source
// and the target, run, and keep the execution row current (status, counts after every batch, errors, record-log
// index). A retryable failure is thrown so the queue tries again (modelSyncExecutionAttempts); the engine's state
// makes the next attempt send only what the last one did not deliver. A worker killed mid-run leaves the job locked
// until its lease runs out; then another worker takes it as the next attempt, the same way. A worker that stops
// (SIGTERM) interrupts the run, which goes back to the queue without using an attempt and resumes elsewhere. An
// execution starts only within its organization's limit (FERRY_ORGANIZATION_CONCURRENCY); at it, the job waits.
import { rm } from 'node:fs/promises';
import type { AppContext } from '../app-context.ts';
import type { Connection } from '../connectors/connector.ts';
import { createKyselyConsoleLog } from '../persistence/stores/kysely-console-log.ts';
import { emptyCounts, type ExecutionCounts } from '../engine/model-sync/execution-counts.ts';
import type { ModelSyncPlan } from '../engine/model-sync/model-sync-plan.ts';
import { runModelSync } from '../engine/model-sync/model-sync-runner.ts';
import { createKyselyStateStore } from '../persistence/stores/kysely-state-store.ts';
import { createStateCache, type StateCache } from '../engine/model-sync/state/state-cache.ts';
import { createGzipRecordLogWriter } from '../engine/record-logs/gzip-record-log-writer.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import {
  terminalModelSyncStatuses,
  type ModelSyncExecutionRow,
} from '../persistence/repositories/model-sync-executions-repository.ts';
import type { JobContext, JobHandler } from '../queue/job-queue.ts';
import { startWithinOrganizationLimit } from '../persistence/stores/organization-run-limit.ts';
import { organizationAtLimit } from './organization-limit.ts';
import type { ConnectionsService } from '../services/connections-service.ts';
import {
  modelSyncExecutionAttempts,
  testExecutionRowLimit,
  type ExecutionOptions,
  type ExecutionPayload,
} from '../services/model-sync-executions-service.ts';
import { modelSyncRecordLogDirectory } from '../services/model-sync-record-log-location.ts';
import { openModelSource } from '../services/model-source.ts';
import { parseModelSync, type StoredModelSync } from '../services/model-syncs-service.ts';
import type { ExecutionOutcome } from '../metrics/ferry-metrics.ts';
import { executionLogger, scheduleOf } from './execution-logger.ts';
import { executionTransitions } from '../services/execution-transitions.ts';

const isTerminal = (status: string) => (terminalModelSyncStatuses as readonly string[]).includes(status);
const finalFailure = (message: string) => Object.assign(new Error(message), { retryable: false });

function parsePayload(payload: unknown): ExecutionPayload {
  const candidate = payload as Partial<ExecutionPayload> | null;
  if (candidate?.version !== 1 || typeof candidate.executionId !== 'string')
    throw finalFailure(`unrecognised model-sync execution payload ${JSON.stringify(payload)}`);
  return candidate as ExecutionPayload;
}

/**
 * Counts across attempts: what earlier attempts delivered stays counted (insert, update, delete, upserts); what
 * describes reading the model (total, warnings, rejected records, which are tried again) is the latest attempt's.
 */
function acrossAttempts(earlier: ExecutionCounts, attempt: ExecutionCounts): ExecutionCounts {
  return {
    ...attempt,
    insert: earlier.insert + attempt.insert,
    update: earlier.update + attempt.update,
    delete: earlier.delete + attempt.delete,
    upserts: earlier.upserts + attempt.upserts,
  };
}

function planOf(
  sync: StoredModelSync,
  execution: ModelSyncExecutionRow,
  source: { connection: Connection; query: string },
  target: Connection,
): ModelSyncPlan {
  const options = JSON.parse(execution.options) as ExecutionOptions;
  const { definition } = sync;
  return {
    syncId: sync.id,
    syncName: sync.name,
    executionId: execution.id,
    source,
    target: { connection: target, objectId: sync.target_object ?? definition.target.object ?? '' },
    mode: sync.mode,
    ...(definition.identity
      ? {
          identity: {
            source: definition.identity.source,
            target: definition.identity.target,
            function: definition.identity.function,
          },
        }
      : {}),
    fields: definition.fields,
    ...(definition.override_fields ? { override_fields: definition.override_fields } : {}),
    ...(definition.overrides ? { overrides: definition.overrides } : {}),
    ...(definition.filters ? { filters: definition.filters } : {}),
    ...(definition.filter_logic ? { filter_logic: definition.filter_logic } : {}),
    sync_all_records: definition.sync_all_records === true || options.resync === true,
    skip_initial_backfill: definition.skip_initial_backfill === true,
    ...(options.test ? { rowLimit: testExecutionRowLimit } : {}),
    ...(options.identities ? { identities: options.identities } : {}),
  };
}

/**
 * `stateCache`: one per worker process, so that a sync's next run here finds its state remembered (checked against
 * the stored generation); the worker saves it when it stops (startWorker). Default: one for this task alone.
 */
export function modelSyncExecutionTask(
  context: AppContext,
  connections: ConnectionsService,
  stateCache: StateCache = createStateCache({ maxBytes: context.config.stateCacheBytes }),
): JobHandler {
  const { repositories, metrics, clock } = context;
  const stateStore = createKyselyStateStore(context.database.db, context.clock.now);
  const consoleLog = createKyselyConsoleLog(context.database.db, context.clock.now);
  const transitions = executionTransitions(context);

  return async (payload: unknown, job: JobContext) => {
    const { executionId } = parsePayload(payload);
    const execution = await repositories.modelSyncExecutions.getAnywhere(executionId);
    if (!execution || isTerminal(execution.status)) return;
    const organizationId = execution.organization_id;
    const update = (changes: Parameters<typeof repositories.modelSyncExecutions.update>[2]) =>
      repositories.modelSyncExecutions.update(organizationId, execution.id, {
        ...changes,
        updated_at: nowIso(context.clock),
      });
    // Status changes go with the event they mean, in one transaction.
    const transition = (changes: Parameters<typeof update>[0]) =>
      transitions.model(organizationId, execution.id, { ...changes, updated_at: nowIso(context.clock) });
    const log = executionLogger(job.log, {
      kind: 'model',
      executionId: execution.id,
      syncId: execution.sync_id,
      organizationId,
      scheduleId: scheduleOf(execution),
      trigger: execution.type,
      attempt: job.attempt,
    });
    const errors = JSON.parse(execution.errors) as string[];
    let startedAt = execution.started_at ?? undefined;
    const finish = async (status: ExecutionOutcome) => {
      await transition({ status, completed_at: nowIso(context.clock), errors: JSON.stringify(errors) });
      const seconds = startedAt ? (clock.nowMs() - Date.parse(startedAt)) / 1000 : 0;
      metrics.observeExecution('model', status, seconds);
      (status === 'completed' ? log.info : log.warn).call(
        log,
        { status, seconds, ...(errors.length ? { errors: errors.slice(-3) } : {}) },
        `model sync execution ${status}`,
      );
    };
    if (execution.cancel_requested === 1) return void (await finish('canceled'));
    const row = await repositories.modelSyncs.get(organizationId, execution.sync_id);
    if (!row) return; // the sync was deleted (its executions with it)
    const sync = parseModelSync(row);
    const earlier = { ...emptyCounts(), ...(JSON.parse(execution.counts) as Partial<ExecutionCounts>) };

    // Rows counted into the metrics as batches land: this attempt's counts start at zero.
    let counted = { read: 0, written: 0 };
    const countRows = (counts: ExecutionCounts) => {
      const now = { read: counts.total, written: counts.insert + counts.update + counts.delete };
      metrics.countRows('model', now.read - counted.read, now.written - counted.written);
      counted = { read: Math.max(now.read, counted.read), written: Math.max(now.written, counted.written) };
    };

    const now = nowIso(context.clock);
    const admitted = await startWithinOrganizationLimit(context.database.db, context.database.dialect, {
      table: 'model_sync_executions',
      executionId: execution.id,
      organizationId,
      limit: context.config.organizationConcurrency,
      now,
      onStarted: (transaction) =>
        transitions.started(transaction, 'model', execution.id, execution.started_at === null),
    });
    if (!admitted) throw organizationAtLimit(context, organizationId);
    startedAt ??= now;

    const opened: Connection[] = [];
    let running = false;
    try {
      metrics.executionStarted('model');
      running = true;
      log.info({}, 'model sync execution running');
      const source = await openModelSource(context, organizationId, sync.model_id);
      if (!source) throw finalFailure(`the model ${sync.model_id} or its connection no longer exists`);
      opened.push(source.connection);
      const targetRow = await repositories.connections.get(organizationId, sync.target_connection_id);
      if (!targetRow) throw finalFailure(`the target connection ${sync.target_connection_id} no longer exists`);
      const target = await connections.open(targetRow);
      opened.push(target);

      // An earlier attempt's files would mix with this one's; the index names this attempt's only.
      const logDirectory = modelSyncRecordLogDirectory(context.config.dataDir, sync.id, execution.id);
      await rm(logDirectory, { recursive: true, force: true });
      const result = await runModelSync(
        { signal: job.signal, log, heartbeat: (note) => job.heartbeat(note) },
        planOf(sync, execution, source, target),
        {
          stateStore,
          stateCache,
          consoleLog,
          recordLogs: createGzipRecordLogWriter({ directory: logDirectory }),
          onProgress: async (counts) => {
            countRows(counts);
            await update({ counts: JSON.stringify(acrossAttempts(earlier, counts)) });
          },
        },
      );
      countRows(result.counts);
      const counts = acrossAttempts(earlier, result.counts);
      await update({ counts: JSON.stringify(counts), record_logs: JSON.stringify(result.logs) });
      if (result.status === 'completed') return void (await finish('completed'));
      throw result.error!;
    } catch (error: unknown) {
      const current = await repositories.modelSyncExecutions.getAnywhere(execution.id);
      if (!current || isTerminal(current.status)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (current.cancel_requested === 1) {
        await finish('canceled');
      } else if (job.signal.aborted) {
        // Aborted without a cancel: the worker is stopping or lost its lease. The queue gives the job back and the
        // next worker resumes it from the engine's state.
        await update({ status: 'queued' });
        log.info({}, 'model sync execution interrupted; the queue gives it back');
      } else if ((error as { retryable?: boolean }).retryable !== false && job.attempt < modelSyncExecutionAttempts) {
        errors.push(`Attempt ${job.attempt} failed and will be retried: ${message}`);
        await update({ status: 'queued', errors: JSON.stringify(errors) });
        log.warn({ err: error }, 'model sync execution attempt failed; the queue retries it');
      } else {
        errors.push(message);
        await finish('failed');
      }
      throw error;
    } finally {
      if (running) metrics.executionStopped('model');
      await Promise.all(
        opened.map((connection) =>
          connection
            .close()
            .catch((error: unknown) => log.warn({ err: error }, 'model sync: closing a connection failed')),
        ),
      );
    }
  };
}
