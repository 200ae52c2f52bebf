// Runs one execution of one bulk sync: every schema of the plan, up to `concurrency` at a time, each
// through copySchema. A failing schema does not stop the others (their copies are independent and
// each is consistent on its own); the execution fails if any schema failed. A cancel (the context's
// signal) stops every schema within one batch: the batch in flight is rolled back by its destination
// transaction, and the checkpoint still names the last committed one.
import type { RunContext } from '../../domain/run-context.ts';
import { ConsoleLogLevel, type ConsoleLog } from '../console-log.ts';
import { SyncError } from '../sync-error.ts';
import { bulkPlanDefaults, type BulkSyncPlan } from './bulk-sync-plan.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { defaultOutputName } from './name-normalization.ts';
import { runChangeCapture, usesChangeCapture, type ChangeCaptureDependencies } from './change-capture-run.ts';
import { copySchemas } from './schema-copies.ts';
import { createdSchemaExecution, type SchemaExecution } from './schema-execution.ts';

export interface BulkSyncDependencies extends ChangeCaptureDependencies {
  checkpoints: CheckpointStore;
  consoleLog: ConsoleLog;
  /** Default: the system clock. */
  now?: () => Date;
  /** Called on every change of a schema's status or counts. */
  onSchemaUpdate?: (execution: SchemaExecution) => void | Promise<void>;
  /** Minimum time between two progress lines of one schema. Default 10 s. */
  progressIntervalMs?: number;
}

const BulkExecutionStatus = { completed: 'completed', failed: 'failed', canceled: 'canceled' } as const;
type BulkExecutionStatus = (typeof BulkExecutionStatus)[keyof typeof BulkExecutionStatus];

export interface BulkExecutionResult {
  status: BulkExecutionStatus;
  schemas: SchemaExecution[];
  recordCount: number;
  /**
   * Why the execution did not complete: the first schema error, retryable only when every failed
   * schema's error is (a retry re-runs the execution, and completed schemas are skipped by their checkpoints).
   */
  error: SyncError | undefined;
}

export async function runBulkSync(
  context: RunContext,
  plan: BulkSyncPlan,
  dependencies: BulkSyncDependencies,
): Promise<BulkExecutionResult> {
  const now = dependencies.now ?? (() => new Date());
  const log = (level: ConsoleLogLevel, message: string, payload?: Record<string, unknown>) =>
    dependencies.consoleLog.append({ executionId: plan.executionId, level, message, payload });
  const source = plan.source.bulkSource;
  const destination = plan.destination.bulkDestination;
  if (!source || !destination) {
    throw new SyncError(
      `${source ? `${plan.destination.type} cannot be a bulk destination` : `${plan.source.type} cannot be a bulk source`}`,
      {
        code: 'unsupported_connection',
      },
    );
  }
  checkOutputNames(plan);
  const schemas = plan.schemas.map((schema) => createdSchemaExecution(schema.schemaId));
  const concurrency = Math.max(1, Math.floor(plan.concurrency ?? bulkPlanDefaults.concurrency));
  const started = now();
  await log(
    ConsoleLogLevel.info,
    `Started: ${plan.schemas.length} schema(s), ${plan.mode} mode, up to ${concurrency} at a time`,
    {
      mode: plan.mode,
      fetch_mode: plan.fetchMode ?? bulkPlanDefaults.fetchMode,
      resync_mode: plan.resyncMode ?? bulkPlanDefaults.resyncMode,
    },
  );

  const copyDependencies = {
    checkpoints: dependencies.checkpoints,
    consoleLog: dependencies.consoleLog,
    now,
    onSchemaUpdate: dependencies.onSchemaUpdate ?? (() => {}),
    progressIntervalMs: dependencies.progressIntervalMs,
  };
  if (usesChangeCapture(plan)) {
    await runChangeCapture(context, plan, plan.source.changeCapture!, source, destination, schemas, {
      ...copyDependencies,
      lagWarnBytes: dependencies.lagWarnBytes,
      statusIntervalMs: dependencies.statusIntervalMs,
      onStreamStatus: dependencies.onStreamStatus,
    });
  } else {
    await copySchemas(context, plan, source, destination, schemas, copyDependencies);
  }
  for (const schema of schemas) {
    if (schema.status !== 'created') continue;
    Object.assign(schema, { status: 'canceled', statusMessage: 'Canceled before it started' });
    await dependencies.onSchemaUpdate?.({ ...schema });
  }

  const failed = schemas.filter((schema) => schema.status === 'failed');
  const status: BulkExecutionStatus = context.signal.aborted ? 'canceled' : failed.length > 0 ? 'failed' : 'completed';
  const recordCount = schemas.reduce((total, schema) => total + schema.recordCount, 0);
  const seconds = ((now().getTime() - started.getTime()) / 1000).toFixed(1);
  let error: SyncError | undefined;
  if (status === 'canceled')
    error = new SyncError('The execution was canceled', { code: 'canceled', cause: context.signal.reason });
  if (status === 'failed') {
    const first = failed[0]!.error!;
    const retryable = failed.every((schema) => schema.error?.retryable === true);
    error = new SyncError(
      `${failed.length} of ${schemas.length} schema(s) failed; first: ${failed[0]!.schemaId}: ${first.message}`,
      {
        code: first.code,
        retryable,
        nextRetryDelay: first.nextRetryDelay,
        cause: first,
      },
    );
  }
  await log(
    status === 'completed'
      ? ConsoleLogLevel.info
      : status === 'canceled'
        ? ConsoleLogLevel.warning
        : ConsoleLogLevel.error,
    `${status === 'completed' ? 'Completed' : status === 'canceled' ? 'Canceled' : 'Failed'}: ${recordCount.toLocaleString('en-US')} rows in ${seconds} s`,
    { status, rows: recordCount },
  ).catch((logError: unknown) => context.log.error({ err: logError }, 'console log write failed'));
  return { status, schemas, recordCount, error };
}

/** Two schemas writing one destination table would overwrite each other: refused before anything runs. */
function checkOutputNames(plan: BulkSyncPlan): void {
  const seen = new Map<string, string>();
  for (const schema of plan.schemas) {
    const name =
      schema.outputName ?? defaultOutputName(schema.schemaId, plan.normalizeNames ?? bulkPlanDefaults.normalizeNames);
    const other = seen.get(name);
    if (other)
      throw new SyncError(
        `Schemas ${other} and ${schema.schemaId} have the same output name "${name}"; set user_output_name`,
        { code: 'invalid_plan' },
      );
    seen.set(name, schema.schemaId);
  }
}
