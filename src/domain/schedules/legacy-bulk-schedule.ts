// The 2024-02-08 bulk sync `schedule` (BulkSchedule, with `multi` itemising schedules by schema kind) and its
// validation. Conversions to and from Ferry's representation are in legacy-schedule-conversion.ts.
import type { ScheduleTiming } from './bulk-schedules.ts';
import { BULK_TIMING_RULES } from './bulk-schedule-request.ts';
import { isAbsent, isRecord, joinPath, type ScheduleIssue, type Validated } from './schedule-issues.ts';
import { isOneOf, SELECTIVE_MODES, type BulkScheduleFrequency, type SelectiveMode } from './schedule-vocabulary.ts';
import { validateTiming, type TimingRules } from './timing-validation.ts';

/** BulkSchedule (2024-02-08). `frequency` is `multi` exactly when `multi.schedules` holds the real schedules. */
export interface LegacyBulkSchedule extends ScheduleTiming<BulkScheduleFrequency | 'multi'> {
  multi?: LegacyMultiScheduleConfiguration;
}

/** BulkMultiScheduleConfiguration. `type` is in the SDK type with no documented meaning; Ferry neither needs nor keeps it. */
interface LegacyMultiScheduleConfiguration {
  schedules?: LegacyItemizedSchedule[];
  type?: string;
}

/** BulkItemizedSchedule: one schedule for one kind of schema. */
export interface LegacyItemizedSchedule {
  item: SelectiveMode;
  schedule: LegacyBulkSchedule;
}

const LEGACY_TIMING_RULES: TimingRules<BulkScheduleFrequency | 'multi'> = {
  frequencies: [...BULK_TIMING_RULES.frequencies, 'multi'],
  refusals: BULK_TIMING_RULES.refusals,
};

const ITEM_TIMING_RULES: TimingRules<BulkScheduleFrequency> = {
  frequencies: BULK_TIMING_RULES.frequencies,
  refusals: { ...BULK_TIMING_RULES.refusals, multi: 'an itemised schedule cannot itself be multi' },
};

/**
 * Checks a 2024-02-08 request's `schedule` with 2024 field paths (`schedule.multi.schedules[1].schedule.hour`), and
 * returns it cleaned: absent fields dropped, `multi` kept only on a multi schedule, `multi.type` dropped.
 * A multi schedule needs at least one item, each `item` at most once, and no nested multi.
 */
export function validateLegacyBulkSchedule(raw: unknown, path = 'schedule'): Validated<LegacyBulkSchedule> {
  const issues: ScheduleIssue[] = [];
  if (isAbsent(raw) || !isRecord(raw)) {
    issues.push({ field: path, message: isAbsent(raw) ? 'is required' : 'must be an object' });
    return { ok: false, issues };
  }
  const timing = validateTiming(raw, path, LEGACY_TIMING_RULES, issues);
  if (!timing) return { ok: false, issues };
  if (timing.frequency !== 'multi') {
    const multi = raw.multi;
    if (isRecord(multi) && Array.isArray(multi.schedules) && multi.schedules.length > 0) {
      issues.push({
        field: joinPath(path, 'multi.schedules'),
        message: `is only allowed when frequency is multi (it is ${timing.frequency})`,
      });
      return { ok: false, issues };
    }
    return { ok: true, value: timing };
  }
  const schedules = validateItems(raw.multi, joinPath(path, 'multi'), issues);
  if (!schedules) return { ok: false, issues };
  return { ok: true, value: { ...timing, multi: { schedules } } };
}

function validateItems(raw: unknown, path: string, issues: ScheduleIssue[]): LegacyItemizedSchedule[] | undefined {
  const list = isRecord(raw) ? raw.schedules : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    issues.push({
      field: joinPath(path, 'schedules'),
      message: 'must list at least one itemised schedule when frequency is multi',
    });
    return undefined;
  }
  const before = issues.length;
  const seen = new Set<string>();
  const items = list.map((entry, index): LegacyItemizedSchedule | undefined => {
    const entryPath = `${joinPath(path, 'schedules')}[${index}]`;
    if (!isRecord(entry)) {
      issues.push({ field: entryPath, message: 'must be an object' });
      return undefined;
    }
    if (!isOneOf(SELECTIVE_MODES, entry.item)) {
      issues.push({ field: joinPath(entryPath, 'item'), message: `must be one of ${SELECTIVE_MODES.join(', ')}` });
    } else if (seen.has(entry.item)) {
      issues.push({
        field: joinPath(entryPath, 'item'),
        message: `${entry.item} is itemised twice; each kind of schema has one schedule`,
      });
    } else {
      seen.add(entry.item);
    }
    const schedulePath = joinPath(entryPath, 'schedule');
    if (!isRecord(entry.schedule)) {
      issues.push({ field: schedulePath, message: isAbsent(entry.schedule) ? 'is required' : 'must be an object' });
      return undefined;
    }
    const schedule = validateTiming(entry.schedule, schedulePath, ITEM_TIMING_RULES, issues);
    return schedule && isOneOf(SELECTIVE_MODES, entry.item) ? { item: entry.item, schedule } : undefined;
  });
  return issues.length === before ? (items as LegacyItemizedSchedule[]) : undefined;
}
