// The bulk schedules sub-resource (/api/bulk/syncs/{sync_id}/schedules…) speaks camelCase in both versions
// (docs/wire-format.md): requests carry BulkSyncScheduleApi, responses BulkBulkSyncSchedule. This maps them onto
// Ferry's representation, which the main bulk sync endpoints also use.
import type {
  AdditionalSchedule,
  ScheduleTiming,
  StoredAdditionalSchedule,
  StoredDefaultSchedule,
} from './bulk-schedules.ts';
import { timingOf } from './bulk-schedules.ts';
import { BULK_TIMING_RULES } from './bulk-schedule-request.ts';
import { isAbsent, isRecord, joinPath, type ScheduleIssue, type Validated } from './schedule-issues.ts';
import {
  isOneOf,
  SCHEDULE_RESYNC_MODES,
  SELECTIVE_MODES,
  type ScheduleFrequency,
  type ScheduleResyncMode,
  type SelectiveMode,
} from './schedule-vocabulary.ts';
import { validateTiming } from './timing-validation.ts';

/** BulkBulkSyncSchedule: one schedule as the sub-resource shows it. Actors are ids here, not OutputActor objects. */
export interface BulkBulkSyncSchedule {
  createdAt?: string;
  createdBy?: string;
  dayOfMonth?: string;
  dayOfWeek?: string;
  deletedAt?: string;
  deletedBy?: string;
  frequency: ScheduleFrequency;
  hour?: string;
  isDefault?: boolean;
  minute?: string;
  month?: string;
  schemas?: string[];
  selectiveMode?: SelectiveMode;
  syncId?: string;
  syncMode?: ScheduleResyncMode;
  updatedAt?: string;
  updatedBy?: string;
}

/** Wire name ↔ Ferry name, for the fields whose names differ. */
const CAMEL_TO_SNAKE = {
  dayOfMonth: 'day_of_month',
  dayOfWeek: 'day_of_week',
  selectiveMode: 'selective_mode',
} as const;
const SNAKE_TO_CAMEL: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(CAMEL_TO_SNAKE).map(([camel, snake]) => [snake, camel]),
);

/** The timing and selective mode a sub-resource request asks for. */
export type ScheduleApiRequest = ScheduleTiming & { selective_mode?: SelectiveMode };

/**
 * Checks a request's `schedule` (path `schedule.dayOfWeek`, …) with the same timing rules as the main endpoints.
 * For the default schedule (`isDefault`), `selectiveMode` may only be `none`, which is what GET shows for it, so that
 * a GET body sent back is accepted; the value is then dropped.
 */
export function validateScheduleApiRequest(
  raw: unknown,
  options: { isDefault: boolean; path?: string },
): Validated<ScheduleApiRequest> {
  const path = options.path ?? 'schedule';
  const issues: ScheduleIssue[] = [];
  if (!isRecord(raw)) {
    issues.push({ field: path, message: isAbsent(raw) ? 'is required' : 'must be an object' });
    return { ok: false, issues };
  }
  // Only the wire's camelCase names are read: a snake_case `day_of_week` here is not part of BulkSyncScheduleApi.
  const snake: Record<string, unknown> = {
    frequency: raw.frequency,
    minute: raw.minute,
    hour: raw.hour,
    month: raw.month,
  };
  for (const [camel, snakeName] of Object.entries(CAMEL_TO_SNAKE)) snake[snakeName] = raw[camel];
  const snakeIssues: ScheduleIssue[] = [];
  const timing = validateTiming(snake, '', BULK_TIMING_RULES, snakeIssues);
  let selective_mode: SelectiveMode | undefined;
  if (!isAbsent(snake.selective_mode)) {
    if (!isOneOf(SELECTIVE_MODES, snake.selective_mode)) {
      snakeIssues.push({ field: 'selective_mode', message: `must be one of ${SELECTIVE_MODES.join(', ')}` });
    } else if (options.isDefault && snake.selective_mode !== 'none') {
      snakeIssues.push({
        field: 'selective_mode',
        message: 'must be none (or absent): the default schedule always covers every schema and field',
      });
    } else if (!options.isDefault) {
      selective_mode = snake.selective_mode;
    }
  }
  for (const issue of snakeIssues) {
    const [head, ...rest] = issue.field.split('.');
    issues.push({ field: joinPath(path, [SNAKE_TO_CAMEL[head] ?? head, ...rest].join('.')), message: issue.message });
  }
  if (issues.length > 0 || !timing) return { ok: false, issues };
  return { ok: true, value: { ...timing, ...(selective_mode !== undefined ? { selective_mode } : {}) } };
}

/**
 * A PUT through the sub-resource replaces what BulkSyncScheduleApi can say (timing and selective mode, absent meaning
 * none) and keeps what it cannot (`schemas`, `resync_mode`, identity and creation metadata).
 */
export function applyScheduleApiUpdate<S extends StoredAdditionalSchedule | StoredDefaultSchedule>(
  existing: S,
  request: ScheduleApiRequest,
): S {
  const {
    frequency: _frequency,
    minute: _minute,
    hour: _hour,
    day_of_month: _dom,
    month: _month,
    day_of_week: _dow,
    ...kept
  } = existing as StoredAdditionalSchedule;
  delete kept.selective_mode;
  return {
    ...kept,
    ...timingOf(request),
    ...(request.selective_mode !== undefined ? { selective_mode: request.selective_mode } : {}),
  } as S;
}

/**
 * One stored schedule as BulkBulkSyncSchedule. `selectiveMode` and `syncMode` are always shown, `none` and `normal`
 * when unset, as the spec's example shows them on a default schedule: both are what the schedule does.
 */
export function toBulkBulkSyncSchedule(
  schedule: StoredDefaultSchedule | StoredAdditionalSchedule,
  context: { syncId: string; isDefault: boolean },
): BulkBulkSyncSchedule {
  const additional = schedule as StoredAdditionalSchedule;
  const wire: BulkBulkSyncSchedule = {
    frequency: schedule.frequency,
    isDefault: context.isDefault,
    syncId: context.syncId,
    createdAt: schedule.created_at,
    updatedAt: schedule.updated_at,
    selectiveMode: context.isDefault ? 'none' : (additional.selective_mode ?? 'none'),
    syncMode: context.isDefault ? 'normal' : (additional.resync_mode ?? 'normal'),
  };
  if (schedule.created_by?.id !== undefined) wire.createdBy = schedule.created_by.id;
  if (schedule.updated_by?.id !== undefined) wire.updatedBy = schedule.updated_by.id;
  if (schedule.minute !== undefined) wire.minute = schedule.minute;
  if (schedule.hour !== undefined) wire.hour = schedule.hour;
  if (schedule.day_of_month !== undefined) wire.dayOfMonth = schedule.day_of_month;
  if (schedule.month !== undefined) wire.month = schedule.month;
  if (schedule.day_of_week !== undefined) wire.dayOfWeek = schedule.day_of_week;
  if (!context.isDefault && additional.schemas !== undefined) wire.schemas = [...additional.schemas];
  return wire;
}

/** The schedule a BulkBulkSyncSchedule shows, as Ferry holds it (`schedule_id` comes from the URL, not the body). */
export function fromBulkBulkSyncSchedule(wire: BulkBulkSyncSchedule): AdditionalSchedule & { is_default: boolean } {
  const timing = timingOf({
    frequency: wire.frequency as ScheduleTiming['frequency'],
    minute: wire.minute,
    hour: wire.hour,
    day_of_month: wire.dayOfMonth,
    month: wire.month,
    day_of_week: wire.dayOfWeek,
  });
  const isDefault = wire.isDefault === true;
  const schedule: AdditionalSchedule & { is_default: boolean } = { ...timing, is_default: isDefault };
  if (isDefault) return schedule;
  if (wire.selectiveMode !== undefined && wire.selectiveMode !== 'none') schedule.selective_mode = wire.selectiveMode;
  if (wire.syncMode !== undefined && wire.syncMode !== 'normal' && isOneOf(SCHEDULE_RESYNC_MODES, wire.syncMode))
    schedule.resync_mode = wire.syncMode;
  if (wire.schemas !== undefined && wire.schemas.length > 0) schedule.schemas = [...wire.schemas];
  return schedule;
}
