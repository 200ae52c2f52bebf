// Validation of a 2025-09-18 bulk sync create/update body's schedule part (BulkSyncDefaultScheduleRequest,
// BulkSyncAdditionalScheduleRequest). Older versions reach this after legacy-bulk-schedule.ts converted them up.
import type { AdditionalSchedule, BulkScheduleConfiguration, DefaultSchedule } from './bulk-schedules.ts';
import { isAbsent, isRecord, joinPath, type ScheduleIssue, type Validated } from './schedule-issues.ts';
import {
  BULK_SCHEDULE_FREQUENCIES,
  isOneOf,
  SCHEDULE_RESYNC_MODES,
  SELECTIVE_MODES,
  type BulkScheduleFrequency,
} from './schedule-vocabulary.ts';
import { validateTiming, type TimingRules } from './timing-validation.ts';

export const BULK_TIMING_RULES: TimingRules<BulkScheduleFrequency> = {
  frequencies: BULK_SCHEDULE_FREQUENCIES,
  refusals: {
    multi:
      'multi is not accepted in 2025-09-18: put the main schedule in default_schedule and each itemised schedule in ' +
      'additional_schedules with its selective_mode',
    runafter:
      'runafter is not available for bulk syncs: a bulk schedule has no run_after field to say what to run after',
    dbtcloud: 'dbtcloud is not available for bulk syncs: a bulk schedule has no connection_id or job_id to follow',
  },
};

/**
 * The fields only additional schedules may carry: the default cannot carry selective_mode, schemas or resync_mode
 * (docs/schedules.md).
 */
const SCOPE_FIELDS = ['selective_mode', 'schemas', 'resync_mode'] as const;

/** Checks `body.default_schedule` and `body.additional_schedules`; the body's other fields are not looked at. */
export function validateBulkScheduleRequest(body: unknown): Validated<BulkScheduleConfiguration> {
  const issues: ScheduleIssue[] = [];
  const source = isRecord(body) ? body : {};
  const default_schedule = validateDefaultSchedule(source.default_schedule, issues);
  const additional_schedules = validateAdditionalSchedules(source.additional_schedules, issues);
  if (default_schedule && additional_schedules) checkDistinctIds(default_schedule, additional_schedules, issues);
  if (issues.length > 0 || !default_schedule || !additional_schedules) return { ok: false, issues };
  return { ok: true, value: { default_schedule, additional_schedules } };
}

function validateDefaultSchedule(raw: unknown, issues: ScheduleIssue[]): DefaultSchedule | undefined {
  const path = 'default_schedule';
  if (isAbsent(raw)) {
    issues.push({ field: path, message: 'is required' });
    return undefined;
  }
  if (!isRecord(raw)) {
    issues.push({ field: path, message: 'must be an object' });
    return undefined;
  }
  for (const field of SCOPE_FIELDS) {
    if (!isAbsent(raw[field])) {
      issues.push({
        field: joinPath(path, field),
        message: `is not allowed: the default schedule always covers every schema and field; ${field} belongs on additional_schedules entries`,
      });
    }
  }
  const id = validateId(raw.id, joinPath(path, 'id'), issues);
  const timing = validateTiming(raw, path, BULK_TIMING_RULES, issues);
  return timing ? { ...timing, ...(id !== undefined ? { id } : {}) } : undefined;
}

function validateAdditionalSchedules(raw: unknown, issues: ScheduleIssue[]): AdditionalSchedule[] | undefined {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push({ field: 'additional_schedules', message: 'must be an array' });
    return undefined;
  }
  const before = issues.length;
  const schedules = raw.map((entry, index) =>
    validateAdditionalSchedule(entry, `additional_schedules[${index}]`, issues),
  );
  return issues.length === before ? (schedules as AdditionalSchedule[]) : undefined;
}

function validateAdditionalSchedule(
  raw: unknown,
  path: string,
  issues: ScheduleIssue[],
): AdditionalSchedule | undefined {
  if (!isRecord(raw)) {
    issues.push({ field: path, message: 'must be an object' });
    return undefined;
  }
  const before = issues.length;
  const id = validateId(raw.id, joinPath(path, 'id'), issues);
  const timing = validateTiming(raw, path, BULK_TIMING_RULES, issues);
  const scope: Pick<AdditionalSchedule, 'selective_mode' | 'schemas' | 'resync_mode'> = {};
  if (!isAbsent(raw.selective_mode)) {
    if (isOneOf(SELECTIVE_MODES, raw.selective_mode)) scope.selective_mode = raw.selective_mode;
    else
      issues.push({ field: joinPath(path, 'selective_mode'), message: `must be one of ${SELECTIVE_MODES.join(', ')}` });
  }
  if (!isAbsent(raw.resync_mode)) {
    if (isOneOf(SCHEDULE_RESYNC_MODES, raw.resync_mode)) scope.resync_mode = raw.resync_mode;
    else
      issues.push({
        field: joinPath(path, 'resync_mode'),
        message: `must be one of ${SCHEDULE_RESYNC_MODES.join(', ')}`,
      });
  }
  // An empty list narrows nothing, so it is the same as no list and is dropped.
  const schemas = validateSchemas(raw.schemas, joinPath(path, 'schemas'), issues);
  if (schemas !== undefined && schemas.length > 0) scope.schemas = schemas;
  if (!timing || issues.length !== before) return undefined;
  return { ...timing, ...(id !== undefined ? { id } : {}), ...scope };
}

/** Schema ids: non-empty strings, each once. Whether they exist in the sync is the service's check, not this pure one. */
function validateSchemas(raw: unknown, path: string, issues: ScheduleIssue[]): string[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    issues.push({ field: path, message: 'must be an array of schema ids' });
    return undefined;
  }
  const seen = new Set<string>();
  raw.forEach((schema, index) => {
    if (typeof schema !== 'string' || schema === '')
      issues.push({ field: `${path}[${index}]`, message: 'must be a non-empty schema id' });
    else if (seen.has(schema))
      issues.push({ field: `${path}[${index}]`, message: `lists ${JSON.stringify(schema)} twice` });
    else seen.add(schema);
  });
  return [...seen];
}

function validateId(raw: unknown, path: string, issues: ScheduleIssue[]): string | undefined {
  if (isAbsent(raw)) return undefined;
  if (typeof raw === 'string') return raw;
  issues.push({ field: path, message: 'must be a string' });
  return undefined;
}

function checkDistinctIds(
  defaultSchedule: DefaultSchedule,
  additional: AdditionalSchedule[],
  issues: ScheduleIssue[],
): void {
  const seen = new Set<string>(defaultSchedule.id !== undefined ? [defaultSchedule.id] : []);
  additional.forEach((schedule, index) => {
    if (schedule.id === undefined) return;
    if (seen.has(schedule.id))
      issues.push({ field: `additional_schedules[${index}].id`, message: 'names a schedule already listed' });
    seen.add(schedule.id);
  });
}
