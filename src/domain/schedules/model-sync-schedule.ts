// A model sync's `schedule` (the spec's `Schedule`, the same in both versions): a timing plus what `runafter` and
// `dbtcloud` need. Next run times come from next-run.ts, which reads the same timing fields.
import type { ScheduleTiming } from './bulk-schedules.ts';
import { isAbsent, isRecord, joinPath, type ScheduleIssue, type Validated } from './schedule-issues.ts';
import { MODEL_SYNC_SCHEDULE_FREQUENCIES, type ModelSyncScheduleFrequency } from './schedule-vocabulary.ts';
import { validateTiming, type TimingRules } from './timing-validation.ts';

/** RunAfter: the syncs whose completion fires a `runafter` schedule. */
interface RunAfter {
  sync_ids?: string[];
  bulk_sync_ids?: string[];
}

export interface ModelSyncSchedule extends ScheduleTiming<ModelSyncScheduleFrequency> {
  run_after?: RunAfter;
  /** With runafter: fire only when the preceding sync succeeded. Absent means false. */
  run_after_success_only?: boolean;
  /** With dbtcloud: the dbt Cloud connection and job. */
  connection_id?: string;
  job_id?: number;
}

const MODEL_SYNC_TIMING_RULES: TimingRules<ModelSyncScheduleFrequency> = {
  frequencies: MODEL_SYNC_SCHEDULE_FREQUENCIES,
  refusals: { multi: 'multi itemises a bulk sync’s schemas and is not a model sync frequency' },
};

/**
 * Checks a model sync's `schedule`. `frequency` is optional in the type; absent means manual and is stored as manual.
 * runafter needs at least one id in `run_after.sync_ids` or `run_after.bulk_sync_ids`; dbtcloud needs `connection_id`
 * and `job_id`. Those fields are refused on other frequencies rather than stored unused.
 */
export function validateModelSyncSchedule(raw: unknown, path = 'schedule'): Validated<ModelSyncSchedule> {
  const issues: ScheduleIssue[] = [];
  if (!isRecord(raw)) {
    issues.push({ field: path, message: isAbsent(raw) ? 'is required' : 'must be an object' });
    return { ok: false, issues };
  }
  const withFrequency = isAbsent(raw.frequency) ? { ...raw, frequency: 'manual' } : raw;
  const timing = validateTiming(withFrequency, path, MODEL_SYNC_TIMING_RULES, issues);
  const frequency = timing?.frequency;
  const schedule: ModelSyncSchedule | undefined = timing ? { ...timing } : undefined;

  if (!isEmptyRunAfter(raw.run_after) || frequency === 'runafter') {
    const runAfter = validateRunAfter(raw.run_after, joinPath(path, 'run_after'), frequency, issues);
    if (schedule && runAfter) schedule.run_after = runAfter;
  }
  if (!isAbsent(raw.run_after_success_only)) {
    if (typeof raw.run_after_success_only !== 'boolean')
      issues.push({ field: joinPath(path, 'run_after_success_only'), message: 'must be a boolean' });
    else if (schedule) schedule.run_after_success_only = raw.run_after_success_only;
  }
  if (!isAbsent(raw.connection_id) || frequency === 'dbtcloud') {
    const field = joinPath(path, 'connection_id');
    if (isAbsent(raw.connection_id)) issues.push({ field, message: 'is required when frequency is dbtcloud' });
    else if (typeof raw.connection_id !== 'string') issues.push({ field, message: 'must be a string' });
    else if (frequency !== undefined && frequency !== 'dbtcloud')
      issues.push({ field, message: 'is only allowed when frequency is dbtcloud' });
    else if (schedule) schedule.connection_id = raw.connection_id;
  }
  if (!isAbsent(raw.job_id) || frequency === 'dbtcloud') {
    const field = joinPath(path, 'job_id');
    if (isAbsent(raw.job_id)) issues.push({ field, message: 'is required when frequency is dbtcloud' });
    else if (!Number.isSafeInteger(raw.job_id)) issues.push({ field, message: 'must be an integer' });
    else if (frequency !== undefined && frequency !== 'dbtcloud')
      issues.push({ field, message: 'is only allowed when frequency is dbtcloud' });
    else if (schedule) schedule.job_id = raw.job_id as number;
  }
  return issues.length > 0 || !schedule ? { ok: false, issues } : { ok: true, value: schedule };
}

/** `run_after: {}` (or with empty lists) says nothing: GET bodies sent back carry it on any frequency. */
function isEmptyRunAfter(raw: unknown): boolean {
  if (isAbsent(raw)) return true;
  return (
    isRecord(raw) &&
    Object.values(raw).every((value) => isAbsent(value) || (Array.isArray(value) && value.length === 0))
  );
}

function validateRunAfter(
  raw: unknown,
  path: string,
  frequency: string | undefined,
  issues: ScheduleIssue[],
): RunAfter | undefined {
  if (isAbsent(raw)) {
    issues.push({ field: path, message: 'is required when frequency is runafter' });
    return undefined;
  }
  if (!isRecord(raw)) {
    issues.push({ field: path, message: 'must be an object' });
    return undefined;
  }
  if (frequency !== undefined && frequency !== 'runafter') {
    issues.push({ field: path, message: 'is only allowed when frequency is runafter' });
    return undefined;
  }
  const runAfter: RunAfter = {};
  for (const key of ['sync_ids', 'bulk_sync_ids'] as const) {
    const ids = raw[key];
    if (isAbsent(ids)) continue;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === '')) {
      issues.push({ field: joinPath(path, key), message: 'must be an array of sync ids' });
      continue;
    }
    if (ids.length > 0) runAfter[key] = [...new Set(ids as string[])];
  }
  if (!runAfter.sync_ids && !runAfter.bulk_sync_ids && !issues.some((issue) => issue.field.startsWith(path))) {
    issues.push({ field: path, message: 'must name at least one sync in sync_ids or bulk_sync_ids' });
  }
  return runAfter;
}
