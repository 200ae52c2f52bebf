// Checks a plan against itself and against the connections before any row is read, so that a
// configuration mistake fails fast (not retryable) instead of after a long read.
import { SyncError, SyncErrorCode } from '../sync-error.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { ModelSource, ModelTarget } from '../../connectors/connector.ts';
import { FilterLogicError } from './filter-logic.ts';
import { supportedIdentityFunctions } from './identity-key.ts';
import { modeRules, type ModeRule } from './mode-rules.ts';
import { compileRecordFilter, type RecordFilter } from './record-filter.ts';
import type { ModelSyncPlan } from './model-sync-plan.ts';

export interface CheckedPlan {
  rule: ModeRule;
  source: ModelSource;
  target: ModelTarget;
  filter: RecordFilter;
}

const invalid = (message: string, cause?: unknown) =>
  new SyncError(message, { code: SyncErrorCode.invalidPlan, retryable: false, cause });

export async function checkPlan(context: RunContext, plan: ModelSyncPlan, now: Date): Promise<CheckedPlan> {
  const rule = modeRules[plan.mode];
  if (!rule) throw invalid(`mode ${String(plan.mode)} is not one of ${Object.keys(modeRules).join(', ')}`);
  if (rule.keyedBy === 'identity') {
    if (!plan.identity) throw invalid(`mode ${plan.mode} needs an identity`);
    if (!supportedIdentityFunctions.includes(plan.identity.function)) {
      throw new SyncError(
        `identity function ${plan.identity.function} is not supported (supported: ${supportedIdentityFunctions.join(', ')})`,
        { code: 'unsupported', retryable: false },
      );
    }
  }
  if (plan.identities !== undefined && rule.keyedBy !== 'identity')
    throw invalid(`mode ${plan.mode} has no identity, so a run cannot be limited to identities`);
  if (plan.rowLimit !== undefined && !(Number.isInteger(plan.rowLimit) && plan.rowLimit > 0))
    throw invalid(`rowLimit must be a positive integer, got ${plan.rowLimit}`);
  let filter: RecordFilter;
  try {
    filter = compileRecordFilter(plan, now);
  } catch (error: unknown) {
    if (error instanceof FilterLogicError || error instanceof TypeError) throw invalid(error.message, error);
    throw error;
  }
  const source = plan.source.connection.modelSource;
  const target = plan.target.connection.modelTarget;
  if (!source)
    throw new SyncError(`a ${plan.source.connection.type} connection cannot be a model source`, {
      code: SyncErrorCode.unsupportedConnection,
    });
  if (!target)
    throw new SyncError(`a ${plan.target.connection.type} connection cannot be a model-sync target`, {
      code: SyncErrorCode.unsupportedConnection,
    });
  const object = (await target.listObjects(context)).find((candidate) => candidate.id === plan.target.objectId);
  if (!object)
    throw new SyncError(`the target has no object ${plan.target.objectId}`, {
      code: 'object_missing',
      retryable: false,
    });
  const missingModes = rule.targetModes.filter((mode) => !object.modes.includes(mode));
  if (missingModes.length > 0) {
    throw new SyncError(
      `mode ${plan.mode} needs the target object to support ${missingModes.join(' and ')}; ${object.id} supports ${object.modes.join(', ')}`,
      { code: SyncErrorCode.unsupportedConnection },
    );
  }
  // A free-form target (a webhook) lists no fields; otherwise every mapped field must exist.
  const fields = await target.describeObject(context, plan.target.objectId);
  if (fields.length > 0) {
    const known = new Set(fields.map((field) => field.id));
    const mapped = [...plan.fields, ...(plan.override_fields ?? [])].map((field) => field.target);
    if (plan.identity) mapped.push(plan.identity.target);
    const unknown = mapped.filter((field) => !known.has(field));
    if (unknown.length > 0) throw invalid(`target ${plan.target.objectId} has no field ${unknown.join(', ')}`);
  }
  return { rule, source, target, filter };
}
