// One schema of one execution, start to finish: describe, map, decide, prepare the destination, copy (through the
// source's directCopy into the destination when it offers one and accepts the table, e.g. COPY between two
// PostgreSQL connections; record batches otherwise), checkpoint after every committed batch, and keep the schema's
// status and console lines current.
import type { BulkDestination, BulkSource, DirectCopyRequest } from '../../connectors/connector.ts';
import type { ConsoleLog, ConsoleLogInput } from '../console-log.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { SyncError, toSyncError } from '../sync-error.ts';
import { bulkPlanDefaults, type BulkSchemaPlan, type BulkSyncPlan } from './bulk-sync-plan.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { prepareDestination } from './destination-preparation.ts';
import { copyRecords, type BatchCommitted } from './record-copy.ts';
import type { SchemaExecution } from './schema-execution.ts';
import { mapSchema, type SchemaMapping } from './schema-mapping.ts';
import { createSchemaProgress } from './schema-progress.ts';
import { decideStrategy, type SchemaStrategy } from './schema-strategy.ts';

export interface SchemaCopyDependencies {
  checkpoints: CheckpointStore;
  consoleLog: ConsoleLog;
  now: () => Date;
  /** Called whenever the schema's status or counts change (the worker persists them). */
  onSchemaUpdate: (execution: SchemaExecution) => void | Promise<void>;
  progressIntervalMs?: number;
  /** Read inside this change-capture snapshot (the initial copy of a change-capture run). */
  sourceSnapshot?: string;
}

export async function copySchema(
  context: RunContext,
  plan: BulkSyncPlan,
  schemaPlan: BulkSchemaPlan,
  source: BulkSource,
  destination: BulkDestination,
  execution: SchemaExecution,
  dependencies: SchemaCopyDependencies,
): Promise<void> {
  const { checkpoints, now } = dependencies;
  const log = (level: ConsoleLogInput['level'], message: string, payload?: Record<string, unknown>) =>
    dependencies.consoleLog.append({
      executionId: plan.executionId,
      schemaId: schemaPlan.schemaId,
      level,
      message,
      payload,
    });
  const update = async (changes: Partial<SchemaExecution>) => {
    Object.assign(execution, changes);
    await dependencies.onSchemaUpdate({ ...execution });
  };
  const started = now();
  try {
    await update({ status: 'running', startedAt: started.toISOString() });
    const described = await source.describeSchema(context, schemaPlan.schemaId);
    if (!described)
      throw new SyncError(`Schema ${schemaPlan.schemaId} does not exist in the source`, { code: 'schema_missing' });
    const mapping = mapSchema(described, schemaPlan, {
      mode: plan.mode,
      normalizeNames: plan.normalizeNames ?? bulkPlanDefaults.normalizeNames,
      destinationNamespace: plan.destinationNamespace,
      sourceDialect: plan.source.type,
      executionTimestamp: plan.executionTimestamp,
    });
    await update({ outputName: mapping.outputName });
    const checkpoint = await checkpoints.load(plan.syncId, schemaPlan.schemaId);
    const decided = decideStrategy({
      mapping,
      mode: plan.mode,
      fetchMode: plan.fetchMode ?? bulkPlanDefaults.fetchMode,
      resyncMode: plan.resyncMode ?? bulkPlanDefaults.resyncMode,
      executionId: plan.executionId,
      checkpoint,
      dataCutoffTimestamp: schemaPlan.dataCutoffTimestamp,
    });
    if (decided.skip) {
      await log('INFO', `Already copied by an earlier attempt of this execution (${decided.rowsBefore} rows)`);
      await update({ status: 'completed', recordCount: decided.rowsBefore, completedAt: now().toISOString() });
      return;
    }
    for (const warning of decided.warnings) await log('WARN', warning);
    await update({
      warningCount: execution.warningCount + decided.warnings.length,
      incremental: decided.incremental,
    });
    const how = decided.resume
      ? 'Resuming'
      : decided.incremental
        ? 'Starting an incremental copy of'
        : 'Starting a full copy of';
    await log('INFO', `${how} ${schemaPlan.schemaId} into ${mapping.destinationSchemaId}`, {
      cursor_field: decided.orderField ?? null,
      after: decided.after ?? null,
      resumed_rows: decided.rowsBefore,
    });

    const operations = await prepareDestination(context, destination, mapping, decided.preparation);
    // A table this attempt created holds no row the copy can conflict with, so the copy may write straight into it
    // (no staging and merge). A later attempt finds the table and merges, as after any interruption.
    const strategy: SchemaStrategy = operations.some((operation) => operation.kind === 'create_table')
      ? { ...decided, destinationFresh: true }
      : decided;
    if (strategy.preparation === 'delete_snapshot')
      await log('INFO', 'Removed the partial snapshot of the interrupted attempt');
    for (const operation of operations) {
      const fields = 'fields' in operation ? ` (${operation.fields.map((field) => field.id).join(', ')})` : '';
      await log('INFO', `Destination: ${operation.kind.replaceAll('_', ' ')} ${operation.schemaId}${fields}`);
    }
    const base = {
      syncId: plan.syncId,
      schemaId: schemaPlan.schemaId,
      executionId: plan.executionId,
      cursorField: strategy.orderField ?? null,
    };
    let cursor: unknown = strategy.after ?? null;
    await checkpoints.save({ ...base, phase: 'loading', cursor, rows: strategy.rowsBefore });

    const progress = createSchemaProgress({
      context,
      consoleLog: dependencies.consoleLog,
      executionId: plan.executionId,
      schemaId: schemaPlan.schemaId,
      rowsBefore: strategy.rowsBefore,
      now: () => now().getTime(),
      intervalMs: dependencies.progressIntervalMs,
    });
    const committed = async (batch: BatchCommitted) => {
      if (batch.cursor !== undefined && batch.cursor !== null) cursor = batch.cursor;
      // Saved only after the destination committed: a crash in between replays this batch, never skips it.
      await checkpoints
        .save({ ...base, phase: 'loading', cursor, rows: progress.rows + batch.rows })
        .catch((error: unknown) => {
          // The metadata database is the worker's own: its outage is transient, and the replay is safe.
          throw new SyncError('Saving the checkpoint failed', { code: 'transient', retryable: true, cause: error });
        });
      await progress.committed(batch.rows);
      execution.recordCount = progress.rows;
    };
    let path: SchemaExecution['path'] = 'records';
    let ranges: number | undefined;
    // A test execution's row limit is the record path's to keep.
    const direct = plan.rowLimit === undefined ? plan.source.directCopy?.to(plan.destination) : undefined;
    const request = direct && directCopyRequest(mapping, strategy, plan, dependencies.sourceSnapshot);
    if (direct && request && ((await direct.accepts?.(context, request)) ?? true)) {
      const result = await direct.copy(context, request, committed);
      path = result.format === 'binary' ? 'copy_binary' : 'copy_text';
      ranges = result.ranges;
    } else {
      await copyRecords(
        context,
        source,
        destination,
        mapping,
        strategy,
        plan.batchSize ?? destination.preferredBatchRows ?? bulkPlanDefaults.batchSize,
        committed,
        plan.rowLimit,
        dependencies.sourceSnapshot,
      );
    }
    await checkpoints.save({ ...base, phase: 'completed', cursor, rows: progress.rows });
    const seconds = (now().getTime() - started.getTime()) / 1000;
    await log(
      'INFO',
      `Finished: ${progress.rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s (${progress.rowsPerSecond().toLocaleString('en-US')} rows/s)`,
      {
        rows: progress.rows,
        rows_per_second: progress.rowsPerSecond(),
        path,
        ...(ranges === undefined ? {} : { ranges }),
      },
    );
    await update({ status: 'completed', recordCount: progress.rows, path, completedAt: now().toISOString() });
  } catch (caught: unknown) {
    const error = toSyncError(caught, context.signal);
    const canceled = error.code === 'canceled';
    // The console line must not hide the error that ended the schema, so its own failure is only logged.
    await log(
      canceled ? 'WARN' : 'ERROR',
      canceled ? 'Canceled; the batch in progress was rolled back' : `Failed: ${error.message}`,
      {
        code: error.code,
        retryable: error.retryable,
      },
    ).catch((logError: unknown) => context.log.error({ err: logError }, 'console log write failed'));
    await update({
      status: canceled ? 'canceled' : 'failed',
      errorCount: execution.errorCount + (canceled ? 0 : 1),
      statusMessage: error.message,
      completedAt: now().toISOString(),
      error,
    });
  }
}

function directCopyRequest(
  mapping: SchemaMapping,
  strategy: SchemaStrategy,
  plan: BulkSyncPlan,
  sourceSnapshot: string | undefined,
): DirectCopyRequest {
  return {
    ...(sourceSnapshot !== undefined ? { sourceSnapshot } : {}),
    sourceSchemaId: mapping.sourceSchemaId,
    destinationSchemaId: mapping.destinationSchemaId,
    fields: mapping.fields.map((field) => ({ sourceId: field.source.id, destinationId: field.destinationId })),
    snapshot: mapping.snapshot,
    writeMode: strategy.writeMode,
    destinationPrimaryKey: mapping.destinationPrimaryKey,
    destinationFresh: strategy.destinationFresh,
    cursor:
      strategy.orderField === undefined
        ? undefined
        : { field: strategy.orderField, after: strategy.after, inclusive: strategy.inclusive },
    chunkSize: plan.copyChunkSize ?? bulkPlanDefaults.copyChunkSize,
    parallelism: plan.rangeParallelism ?? bulkPlanDefaults.rangeParallelism,
    splitAboveRows: plan.splitAboveRows ?? bulkPlanDefaults.splitAboveRows,
  };
}
