// A replicate run of a sync whose source captures changes (docs/change-capture.md): the first run creates the
// source's stream and copies every schema inside the snapshot consistent with the stream's start; every run then
// streams the changes committed since the stored position and applies them to the destination.
//
// Exactly-once into the destination rests on one order: the destination commits a batch, then Ferry's checkpoint
// store saves the batch's position, then the source is told it may release the log up to it (confirm). A crash
// before the save replays the batch from the older position, which converges because applying is idempotent by key.
// A crash during the snapshot copy leaves the stream state `snapshotting`: the next run drops the stream and starts
// over, so a half-copied snapshot is never streamed on top of.
import { ferryDefaults } from '../../config.ts';
import type { ChangeBatch, ChangeCaptureSource, ChangePosition } from '../../connectors/change-capture.ts';
import type { BulkDestination, BulkSource, TableOperation } from '../../connectors/connector.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { SyncError, toSyncError } from '../sync-error.ts';
import { applyChangeBatch, type StreamedSchema } from './change-apply.ts';
import { isTableRequirement, refuses, requirementTable } from './change-capture-requirements.ts';
import { changeStreamIdOf } from './change-stream-id.ts';
import { bulkPlanDefaults, type BulkSyncPlan } from './bulk-sync-plan.ts';
import { prepareDestination } from './destination-preparation.ts';
import { copySchemas } from './schema-copies.ts';
import type { SchemaCopyDependencies } from './schema-copy.ts';
import type { SchemaExecution } from './schema-execution.ts';
import { mapSchema, type MappingOptions } from './schema-mapping.ts';

/** How far the stream is behind, reported after batches (the worker turns it into a gauge). */
interface StreamStatus {
  bytesBehind: number | undefined;
  /** Seconds from the last applied source commit to now; undefined when the source gives no commit time. */
  lagSeconds: number | undefined;
}

export interface ChangeCaptureDependencies {
  /** Bytes behind above which a WARN line is written. Default 1 GiB (FERRY_CDC_LAG_WARN_BYTES). */
  lagWarnBytes?: number;
  /** Least time between two `Applied …` lines. Default 5 s. */
  statusIntervalMs?: number;
  onStreamStatus?: (status: StreamStatus) => void;
}

/** True when a run of this plan streams changes instead of scanning tables. */
export function usesChangeCapture(plan: BulkSyncPlan): boolean {
  return plan.source.changeCapture !== undefined && plan.mode === 'replicate' && plan.rowLimit === undefined;
}

export async function runChangeCapture(
  context: RunContext,
  plan: BulkSyncPlan,
  capture: ChangeCaptureSource,
  source: BulkSource,
  destination: BulkDestination,
  executions: SchemaExecution[],
  dependencies: SchemaCopyDependencies & ChangeCaptureDependencies,
): Promise<void> {
  const { checkpoints, now } = dependencies;
  const streamId = changeStreamIdOf(plan.syncId);
  const sourceConnectionId = plan.sourceConnectionId ?? '';
  const log = (level: 'INFO' | 'WARN' | 'ERROR', message: string, payload?: Record<string, unknown>) =>
    dependencies.consoleLog.append({ executionId: plan.executionId, level, message, payload });
  const update = async (execution: SchemaExecution, changes: Partial<SchemaExecution>) => {
    Object.assign(execution, changes);
    await dependencies.onSchemaUpdate({ ...execution });
  };
  const executionOf = new Map(executions.map((execution) => [execution.schemaId, execution]));
  const failAll = async (caught: unknown) => {
    const error = toSyncError(caught, context.signal);
    const canceled = error.code === 'canceled';
    await log(
      canceled ? 'WARN' : 'ERROR',
      canceled ? 'Canceled at the last confirmed position' : `Failed: ${error.message}`,
      {
        code: error.code,
        retryable: error.retryable,
      },
    ).catch((logError: unknown) => context.log.error({ err: logError }, 'console log write failed'));
    for (const execution of executions) {
      if (execution.status === 'completed' || execution.status === 'failed') continue;
      await update(execution, {
        status: canceled ? 'canceled' : 'failed',
        errorCount: execution.errorCount + (canceled ? 0 : 1),
        statusMessage: error.message,
        completedAt: now().toISOString(),
        error,
      });
    }
  };

  try {
    // A table the source cannot stream (no key and no REPLICA IDENTITY FULL) fails on its own, in the words the
    // source uses; the others go on.
    const active = await schemasThatCanStream(context, capture, plan, async (schemaId, message) => {
      const execution = executionOf.get(schemaId)!;
      await log('ERROR', `Failed: ${message}`, { schema: schemaId, code: 'invalid_configuration' });
      await update(execution, {
        status: 'failed',
        errorCount: execution.errorCount + 1,
        statusMessage: message,
        startedAt: now().toISOString(),
        completedAt: now().toISOString(),
        error: new SyncError(message, { code: 'invalid_configuration' }),
      });
    });
    if (active.length === 0) return;
    const activePlan: BulkSyncPlan = {
      ...plan,
      schemas: plan.schemas.filter((schema) => active.includes(schema.schemaId)),
    };
    const activeExecutions = activePlan.schemas.map((schema) => executionOf.get(schema.schemaId)!);

    let state = await checkpoints.loadStream(plan.syncId);
    const restart = await restartReason(plan, state, active, checkpoints);
    if (state && restart) {
      await log('INFO', `${restart}: dropping change stream ${state.streamId} and starting over with a new snapshot`);
      await capture.drop(context, state.streamId);
      await checkpoints.clearStream(plan.syncId);
      state = undefined;
    }
    let position: ChangePosition;
    if (!state?.position) {
      // Recorded before the stream exists, so a crash right after start() leaves a stream the next run drops.
      await checkpoints.saveStream({
        syncId: plan.syncId,
        streamId,
        sourceConnectionId,
        phase: 'snapshotting',
        position: null,
      });
      await log('INFO', `Creating change stream ${streamId} and copying a snapshot of ${active.length} schema(s)`);
      const started = await capture.start(context, { streamId, schemaIds: active });
      try {
        for (const schemaId of active) await checkpoints.clear(plan.syncId, schemaId);
        // A new snapshot replaces the destination's rows: rows deleted at the source since an earlier copy must go.
        const snapshotPlan: BulkSyncPlan = {
          ...activePlan,
          fetchMode: 'full',
          resyncMode: plan.resyncMode === 'rebuild' ? 'rebuild' : 'resync',
        };
        await copySchemas(context, snapshotPlan, source, destination, activeExecutions, {
          ...dependencies,
          sourceSnapshot: started.snapshot.id,
        });
      } finally {
        await started.snapshot
          .release()
          .catch((error: unknown) => context.log.warn({ err: error }, 'releasing the change-capture snapshot failed'));
      }
      if (activeExecutions.some((execution) => execution.status !== 'completed')) return;
      await checkpoints.saveStream({
        syncId: plan.syncId,
        streamId,
        sourceConnectionId,
        phase: 'streaming',
        position: started.position,
      });
      position = started.position;
      await log('INFO', `Snapshot copied; its changes start at ${position}`);
    } else {
      position = state.position;
    }
    await streamChanges(context, plan, capture, source, destination, activePlan, activeExecutions, position, {
      ...dependencies,
      log,
      update,
    });
  } catch (caught: unknown) {
    await failAll(caught);
  }
}

async function schemasThatCanStream(
  context: RunContext,
  capture: ChangeCaptureSource,
  plan: BulkSyncPlan,
  failSchema: (schemaId: string, message: string) => Promise<void>,
): Promise<string[]> {
  const all = plan.schemas.map((schema) => schema.schemaId);
  const failing = (await capture.check(context, all)).filter(refuses);
  const general = failing.filter((requirement) => !isTableRequirement(requirement));
  if (general.length > 0) {
    throw new SyncError(`Change capture cannot run: ${general.map((requirement) => requirement.message).join('; ')}`, {
      code: 'invalid_configuration',
    });
  }
  if (failing.length === 0) return all;
  const messages = new Map<string, string[]>();
  let unattributed = false;
  for (const requirement of failing) {
    const table = requirementTable(requirement);
    if (table !== undefined && all.includes(table))
      messages.set(table, [...(messages.get(table) ?? []), requirement.message]);
    else unattributed = true;
  }
  // A requirement that names no table of the plan: asked table by table, which is rare and fixed once.
  if (unattributed) {
    for (const schemaId of all) {
      const found = (await capture.check(context, [schemaId])).filter(
        (requirement) => refuses(requirement) && isTableRequirement(requirement),
      );
      if (found.length > 0)
        messages.set(
          schemaId,
          found.map((requirement) => requirement.message),
        );
    }
  }
  for (const [schemaId, texts] of messages) await failSchema(schemaId, texts.join('; '));
  return all.filter((schemaId) => !messages.has(schemaId));
}

async function restartReason(
  plan: BulkSyncPlan,
  state: Awaited<ReturnType<SchemaCopyDependencies['checkpoints']['loadStream']>>,
  active: string[],
  checkpoints: SchemaCopyDependencies['checkpoints'],
): Promise<string | undefined> {
  if (!state) return undefined;
  if (state.phase === 'snapshotting' || !state.position) return 'An earlier snapshot copy did not finish';
  const resync = plan.resyncMode ?? bulkPlanDefaults.resyncMode;
  if (resync !== 'normal') return `A ${resync} was requested`;
  if (plan.fetchMode === 'full') return 'A full fetch was requested';
  if (plan.sourceConnectionId !== undefined && state.sourceConnectionId !== plan.sourceConnectionId)
    return 'The source connection changed';
  for (const schemaId of active) {
    const checkpoint = await checkpoints.load(plan.syncId, schemaId);
    if (checkpoint?.phase !== 'completed') return `Schema ${schemaId} is new to the stream`;
  }
  return undefined;
}

interface StreamDependencies extends SchemaCopyDependencies, ChangeCaptureDependencies {
  log: (level: 'INFO' | 'WARN' | 'ERROR', message: string, payload?: Record<string, unknown>) => Promise<unknown>;
  update: (execution: SchemaExecution, changes: Partial<SchemaExecution>) => Promise<void>;
}

async function streamChanges(
  context: RunContext,
  plan: BulkSyncPlan,
  capture: ChangeCaptureSource,
  source: BulkSource,
  destination: BulkDestination,
  activePlan: BulkSyncPlan,
  executions: SchemaExecution[],
  from: ChangePosition,
  dependencies: StreamDependencies,
): Promise<void> {
  const { checkpoints, now, log, update } = dependencies;
  const streamId = changeStreamIdOf(plan.syncId);
  const mappingOptions: MappingOptions = {
    mode: plan.mode,
    normalizeNames: plan.normalizeNames ?? bulkPlanDefaults.normalizeNames,
    destinationNamespace: plan.destinationNamespace,
    sourceDialect: plan.source.type,
    executionTimestamp: plan.executionTimestamp,
  };
  const logOperation = async (operation: TableOperation) => {
    const fields = 'fields' in operation ? ` (${operation.fields.map((field) => field.id).join(', ')})` : '';
    await log('INFO', `Destination: ${operation.kind.replaceAll('_', ' ')} ${operation.schemaId}${fields}`);
  };
  const schemas = new Map<string, StreamedSchema>();
  for (const [index, schemaPlan] of activePlan.schemas.entries()) {
    const described = await source.describeSchema(context, schemaPlan.schemaId);
    if (!described)
      throw new SyncError(`Schema ${schemaPlan.schemaId} does not exist in the source`, { code: 'schema_missing' });
    const mapping = mapSchema(described, schemaPlan, mappingOptions);
    // The table exists and has the fields the source has now (it may have changed between runs).
    for (const operation of await prepareDestination(context, destination, mapping, 'none'))
      await logOperation(operation);
    schemas.set(schemaPlan.schemaId, { plan: schemaPlan, described, mapping });
    const execution = executions[index]!;
    await update(execution, {
      status: 'running',
      outputName: mapping.outputName,
      incremental: true,
      startedAt: execution.startedAt ?? now().toISOString(),
      completedAt: undefined,
    });
  }

  const continuous = plan.continuous === true;
  await log('INFO', `Streaming changes from ${from}`, { position: from, continuous });
  const stream = await capture.stream(context, {
    streamId,
    schemaIds: [...schemas.keys()],
    from,
    stopAtCurrent: !continuous,
    maxChanges: plan.batchSize ?? bulkPlanDefaults.batchSize,
  });
  const executionOf = new Map(executions.map((execution) => [execution.schemaId, execution]));
  const status = statusReporter(context, capture, streamId, dependencies);
  try {
    for await (const batch of stream) {
      const applied = await applyChangeBatch(context, destination, schemas, batch, mappingOptions);
      for (const operation of applied.operations) await logOperation(operation);
      for (const [schemaId, count] of applied.bySchema) {
        const execution = executionOf.get(schemaId)!;
        await update(execution, { recordCount: execution.recordCount + count });
      }
      if (batch.position !== undefined) {
        // The order that makes a crash safe: destination committed (above), checkpoint saved, then confirmed.
        await checkpoints
          .saveStream({
            syncId: plan.syncId,
            streamId,
            sourceConnectionId: plan.sourceConnectionId ?? '',
            phase: 'streaming',
            position: batch.position,
          })
          .catch((error: unknown) => {
            throw new SyncError('Saving the stream position failed', {
              code: 'transient',
              retryable: true,
              cause: error,
            });
          });
        await stream.confirm(batch.position);
      }
      context.heartbeat({ changes: applied.changes, position: batch.position });
      await status.batch(batch, applied);
    }
    await status.flush();
  } finally {
    await stream
      .close()
      .catch((error: unknown) => context.log.warn({ err: error }, 'closing the change stream failed'));
  }
  context.signal.throwIfAborted();
  for (const execution of executions)
    await update(execution, { status: 'completed', completedAt: now().toISOString() });
}

/** The `Applied …` lines at most every statusIntervalMs, the lag, and the WARN above the threshold. */
function statusReporter(
  context: RunContext,
  capture: ChangeCaptureSource,
  streamId: string,
  dependencies: StreamDependencies,
) {
  const interval = dependencies.statusIntervalMs ?? ferryDefaults.changeCapture.statusIntervalMs;
  const threshold = dependencies.lagWarnBytes ?? ferryDefaults.changeCapture.lagWarnBytes;
  // The first batch is reported at once, so a stream shows its lag as soon as it runs.
  let lastLine = Number.NEGATIVE_INFINITY;
  let pending = { changes: 0, upserts: 0, deletes: 0 };
  let position: ChangePosition | undefined;
  let reported: ChangePosition | undefined;
  let committedAt: Date | undefined;
  let warned = false;
  const report = async () => {
    lastLine = dependencies.now().getTime();
    reported = position;
    const lag = await capture.lag(context, streamId, position).catch(() => undefined);
    const bytesBehind = lag?.bytesBehind;
    const lagSeconds = committedAt ? Math.max(0, (lastLine - committedAt.getTime()) / 1000) : undefined;
    dependencies.onStreamStatus?.({ bytesBehind, lagSeconds });
    const { changes, upserts, deletes } = pending;
    pending = { changes: 0, upserts: 0, deletes: 0 };
    await dependencies.log(
      'INFO',
      `Applied ${changes.toLocaleString('en-US')} changes (${upserts.toLocaleString('en-US')} upserts, ${deletes.toLocaleString('en-US')} deletes) up to ${position ?? 'the current position'}, lag ${lagSeconds === undefined ? 'unknown' : `${lagSeconds.toFixed(1)} s`}, ${bytesBehind === undefined ? 'unknown' : bytesBehind.toLocaleString('en-US')} bytes behind`,
      {
        changes,
        upserts,
        deletes,
        position: position ?? null,
        lag_seconds: lagSeconds ?? null,
        bytes_behind: bytesBehind ?? null,
      },
    );
    if (bytesBehind !== undefined && bytesBehind > threshold && !warned) {
      warned = true;
      const message = `The change stream is ${bytesBehind.toLocaleString('en-US')} bytes behind the source (threshold ${threshold.toLocaleString('en-US')}): the source keeps that much log until Ferry catches up`;
      context.log.warn({ bytesBehind, threshold }, message);
      await dependencies.log('WARN', message, { bytes_behind: bytesBehind, threshold });
    } else if (bytesBehind !== undefined && bytesBehind <= threshold) warned = false;
  };
  return {
    async batch(batch: ChangeBatch, applied: { changes: number; upserts: number; deletes: number }) {
      pending.changes += applied.changes;
      pending.upserts += applied.upserts;
      pending.deletes += applied.deletes;
      if (batch.position !== undefined) position = batch.position;
      if (batch.committedAt) committedAt = batch.committedAt;
      if (dependencies.now().getTime() - lastLine >= interval) await report();
    },
    async flush() {
      if (pending.changes > 0 || position !== reported) await report();
    },
  };
}
