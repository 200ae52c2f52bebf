// The job that runs one bulk sync execution: build the engine's plan from the stored sync, open both connections,
// run, and keep the execution row current (status, per-schema progress, counts). A retryable failure is thrown so
// the queue retries the job (up to 3 attempts); the engine's checkpoints make the retry continue, not restart.
// An execution starts only within its organization's limit (FERRY_ORGANIZATION_CONCURRENCY); at the limit, the job
// is handed back to wait. Interrupted by a stopping worker, it is handed back too, and resumed elsewhere.
import type { AppContext } from '../app-context.ts';
import type { Connection } from '../connectors/connector.ts';
import { runBulkSync } from '../engine/bulk/bulk-sync-runner.ts';
import type { BulkSchemaPlan, BulkSyncPlan } from '../engine/bulk/bulk-sync-plan.ts';
import type { SchemaExecution } from '../engine/bulk/schema-execution.ts';
import { createKyselyCheckpointStore } from '../persistence/stores/kysely-checkpoint-store.ts';
import { createKyselyConsoleLog } from '../persistence/stores/kysely-console-log.ts';
import { nowIso } from '../persistence/repositories/clock.ts';
import { JobHandedBack } from '../queue/job-deferral.ts';
import type { JobContext, JobHandler } from '../queue/job-queue.ts';
import { startWithinOrganizationLimit } from '../persistence/stores/organization-run-limit.ts';
import { organizationAtLimit } from './organization-limit.ts';
import type { BulkSyncSettings, BulkSyncsService } from '../services/bulk-syncs-service.ts';
import type { ConnectionsService } from '../services/connections-service.ts';
import type { ExecutionOutcome } from '../metrics/ferry-metrics.ts';
import { executionLogger, scheduleOf } from './execution-logger.ts';
import { executionTransitions } from '../services/execution-transitions.ts';

/** Rows per schema a test execution copies. */
const testExecutionRowLimit = 100;

interface BulkExecutionPayload {
  version: 1;
  executionId: string;
}

function parsePayload(payload: unknown): BulkExecutionPayload {
  const candidate = payload as Partial<BulkExecutionPayload> | null;
  if (candidate?.version !== 1 || typeof candidate.executionId !== 'string') {
    throw Object.assign(new Error(`unrecognised bulk execution payload ${JSON.stringify(payload)}`), {
      retryable: false,
    });
  }
  return candidate as BulkExecutionPayload;
}

function schemaToWire(schema: SchemaExecution) {
  return {
    schema: schema.schemaId,
    output_name: schema.outputName,
    status: schema.status,
    record_count: schema.recordCount,
    error_count: schema.errorCount,
    warning_count: schema.warningCount,
    started_at: schema.startedAt,
    completed_at: schema.completedAt,
    status_message: schema.statusMessage,
  };
}

export function bulkExecutionTask(
  context: AppContext,
  connections: ConnectionsService,
  bulkSyncs: BulkSyncsService,
): JobHandler {
  const { repositories, metrics, clock } = context;
  const checkpoints = createKyselyCheckpointStore(context.database.db, context.clock.now);
  const consoleLog = createKyselyConsoleLog(context.database.db, context.clock.now);
  const transitions = executionTransitions(context);

  return async (payload: unknown, job: JobContext) => {
    const { executionId } = parsePayload(payload);
    const execution = await repositories.bulkExecutions.getAnywhere(executionId);
    if (!execution || ['completed', 'failed', 'canceled'].includes(execution.status)) return;
    const sync = await repositories.bulkSyncs.getAnywhere(execution.sync_id);
    if (!sync) return;
    const log = executionLogger(job.log, {
      kind: 'bulk',
      executionId: execution.id,
      syncId: sync.id,
      organizationId: sync.organization_id,
      scheduleId: scheduleOf(execution),
      attempt: job.attempt,
    });
    const settings = JSON.parse(sync.settings) as BulkSyncSettings;
    const requested = execution.requested_schemas
      ? new Set(JSON.parse(execution.requested_schemas) as string[])
      : undefined;

    const opened: Connection[] = [];
    const openConnection = async (id: string) => {
      const row = await repositories.connections.get(sync.organization_id, id);
      if (!row) throw Object.assign(new Error(`connection ${id} no longer exists`), { retryable: false });
      const connection = await connections.open(row);
      opened.push(connection);
      return connection;
    };

    // Rows counted into the metrics as they commit: per schema, what the last update (or an earlier attempt) reported.
    const rowsCounted = new Map<string, number>(
      (JSON.parse(execution.schemas) as Array<{ schema?: string; record_count?: number }>).map((schema) => [
        schema.schema ?? '',
        schema.record_count ?? 0,
      ]),
    );
    const countRows = (schema: SchemaExecution) => {
      const delta = schema.recordCount - (rowsCounted.get(schema.schemaId) ?? 0);
      if (delta <= 0) return;
      rowsCounted.set(schema.schemaId, schema.recordCount);
      metrics.countRows('bulk', delta, delta); // a bulk copy writes each row it reads
    };

    let startedAt = execution.started_at ?? undefined;
    let streamed = false;
    let running = false;
    const finish = async (status: ExecutionOutcome, message: string | undefined) => {
      const now = nowIso(context.clock);
      await transitions.bulk(execution.id, {
        status,
        status_message: message ?? null,
        completed_at: now,
        updated_at: now,
      });
      const seconds = startedAt ? (clock.nowMs() - Date.parse(startedAt)) / 1000 : 0;
      metrics.observeExecution('bulk', status, seconds);
      (status === 'completed' ? log.info : log.warn).call(
        log,
        { status, seconds, ...(message ? { message } : {}) },
        `bulk execution ${status}`,
      );
    };

    // Interrupted without a cancel (the worker is stopping, or lost its lease): the execution goes back to the
    // queue as it is, and the next worker resumes it from the checkpoints of its committed batches.
    const interruptedWithoutCancel = async () => {
      if (!job.signal.aborted) return false;
      const current = await repositories.bulkExecutions.getAnywhere(execution.id);
      return current !== undefined && current.cancel_requested !== 1 && current.status !== 'canceled';
    };
    const handBack = async () => {
      await repositories.bulkExecutions.update(execution.id, {
        status: 'scheduled',
        status_message: 'Interrupted by a stopping worker; another worker resumes it from its checkpoints',
        updated_at: nowIso(context.clock),
      });
      log.info({}, 'bulk execution interrupted; handed back to the queue');
      return new JobHandedBack(`bulk execution ${execution.id} handed back by a stopping worker`, 0);
    };

    const now = nowIso(context.clock);
    const admitted = await startWithinOrganizationLimit(context.database.db, context.database.dialect, {
      table: 'bulk_sync_executions',
      executionId: execution.id,
      organizationId: execution.organization_id,
      limit: context.config.organizationConcurrency,
      now,
      onStarted: (transaction) => transitions.started(transaction, 'bulk', execution.id, execution.started_at === null),
    });
    if (!admitted) throw organizationAtLimit(context, execution.organization_id);
    startedAt ??= now;

    try {
      metrics.executionStarted('bulk');
      running = true;
      log.info({}, 'bulk execution running');
      const views = (await bulkSyncs.schemas(sync)).filter(
        (schema) => schema.enabled && (!requested || requested.has(schema.id)),
      );
      const schemas: BulkSchemaPlan[] = views.map((schema) => {
        const enabledFields = schema.fields?.filter((field) => field.enabled !== false).map((field) => field.id);
        const cutoff = schema.disable_data_cutoff
          ? undefined
          : (schema.data_cutoff_timestamp ?? settings.data_cutoff_timestamp);
        return {
          schemaId: schema.id,
          ...(schema.fields?.length ? { fields: enabledFields } : {}),
          ...(schema.user_output_name ? { outputName: schema.user_output_name } : {}),
          ...(schema.tracking_field ? { trackingField: schema.tracking_field } : {}),
          ...(cutoff && schema.tracking_field ? { dataCutoffTimestamp: cutoff } : {}),
        };
      });
      const destinationConfiguration = JSON.parse(sync.destination_configuration) as { schema?: string };
      const plan: BulkSyncPlan = {
        syncId: sync.id,
        executionId: execution.id,
        executionTimestamp: execution.created_at,
        source: await openConnection(sync.source_connection_id),
        destination: await openConnection(sync.destination_connection_id),
        ...(destinationConfiguration.schema ? { destinationNamespace: destinationConfiguration.schema } : {}),
        mode: sync.mode === 'snapshot' ? 'snapshot' : 'replicate',
        schemas,
        normalizeNames: settings.normalize_names,
        fetchMode: execution.fetch_mode as BulkSyncPlan['fetchMode'],
        resyncMode: execution.resync_mode as BulkSyncPlan['resyncMode'],
        ...(settings.concurrency_limit ? { concurrency: settings.concurrency_limit } : {}),
        rangeParallelism: Math.min(
          context.config.bulkRangeParallelism,
          settings.concurrency_limit || context.config.bulkRangeParallelism,
        ),
        splitAboveRows: context.config.bulkSplitAboveRows,
        ...(execution.is_test === 1 ? { rowLimit: testExecutionRowLimit } : {}),
        sourceConnectionId: sync.source_connection_id,
        // With change capture, a continuous sync's execution is one long-lived stream rather than a run per gap.
        continuous: bulkSyncs.configurationOfSchedules(sync).default_schedule.frequency === 'continuous',
      };
      const progress = new Map<string, SchemaExecution>();
      const result = await runBulkSync({ signal: job.signal, log, heartbeat: (note) => job.heartbeat(note) }, plan, {
        checkpoints,
        consoleLog,
        lagWarnBytes: context.config.changeCaptureLagWarnBytes,
        onStreamStatus: (status) => {
          streamed = true;
          metrics.setChangeCaptureLag(sync.id, status);
        },
        onSchemaUpdate: async (schema) => {
          progress.set(schema.schemaId, schema);
          countRows(schema);
          const all = [...progress.values()];
          await repositories.bulkExecutions.update(execution.id, {
            schemas: JSON.stringify(all.map(schemaToWire)),
            record_count: all.reduce((sum, item) => sum + item.recordCount, 0),
            error_count: all.reduce((sum, item) => sum + item.errorCount, 0),
            warning_count: all.reduce((sum, item) => sum + item.warningCount, 0),
            updated_at: nowIso(context.clock),
          });
        },
      });
      for (const schema of result.schemas) countRows(schema);
      await repositories.bulkExecutions.update(execution.id, {
        schemas: JSON.stringify(result.schemas.map(schemaToWire)),
        record_count: result.recordCount,
        error_count: result.schemas.reduce((sum, item) => sum + item.errorCount, 0),
        warning_count: result.schemas.reduce((sum, item) => sum + item.warningCount, 0),
      });
      if (result.status === 'canceled' && (await interruptedWithoutCancel())) throw await handBack();
      if (result.status === 'failed' && result.error?.retryable && job.attempt < 3) {
        await repositories.bulkExecutions.update(execution.id, {
          status_message: `Attempt ${job.attempt} failed, retrying: ${result.error.message}`,
          updated_at: nowIso(context.clock),
        });
        log.warn({ err: result.error }, 'bulk execution attempt failed; the queue retries it');
        throw result.error;
      }
      await finish(result.status as ExecutionOutcome, result.error?.message);
    } catch (error) {
      if (error instanceof JobHandedBack) throw error;
      if (await interruptedWithoutCancel()) throw await handBack();
      const retryable =
        (error as { retryable?: boolean }).retryable !== false && job.attempt < 3 && !job.signal.aborted;
      if (!retryable) await finish(job.signal.aborted ? 'canceled' : 'failed', (error as Error).message);
      throw error;
    } finally {
      if (running) metrics.executionStopped('bulk');
      // A stream that stopped here is no longer this process's to report.
      if (streamed) metrics.setChangeCaptureLag(sync.id, undefined);
      await Promise.all(opened.map((connection) => connection.close().catch(() => {})));
    }
  };
}
