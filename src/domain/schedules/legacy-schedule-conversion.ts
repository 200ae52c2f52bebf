// Conversions between the 2024-02-08 `schedule` and Ferry's representation (the 2025-09-18 shape). The rules, and
// why they are safe, are in docs/schedules.md ("2024-02-08 conversions"); the property tests hold them to it.
import {
  timingOf,
  type AdditionalSchedule,
  type BulkScheduleConfiguration,
  type ScheduleTiming,
} from './bulk-schedules.ts';
import type { LegacyBulkSchedule, LegacyItemizedSchedule } from './legacy-bulk-schedule.ts';
import type { BulkScheduleFrequency, SelectiveMode } from './schedule-vocabulary.ts';

type ItemisedMode = Exclude<SelectiveMode, 'none'>;

/**
 * Up (2024 → 2025). A plain schedule becomes the default schedule. A multi schedule's item `none` (it covers every
 * schema, as the default does) becomes the default schedule, or else its first item does (the migration guide's worked
 * example, in docs/schedules.md: the first item, incrementalFields/continuous, became the default); every other item
 * becomes an additional schedule with `selective_mode` = its item, in order.
 */
export function upgradeLegacySchedule(legacy: LegacyBulkSchedule): BulkScheduleConfiguration {
  if (legacy.frequency !== 'multi') {
    return { default_schedule: plainTiming(legacy), additional_schedules: [] };
  }
  const items = legacy.multi?.schedules ?? [];
  if (items.length === 0) {
    // Validation refuses this; without items there is nothing that would ever run, which is what manual says.
    return { default_schedule: { frequency: 'manual' }, additional_schedules: [] };
  }
  const noneIndex = items.findIndex((item) => item.item === 'none');
  const defaultIndex = Math.max(noneIndex, 0);
  return {
    default_schedule: plainTiming(items[defaultIndex].schedule),
    additional_schedules: items
      .filter((_, index) => index !== defaultIndex)
      .map((item): AdditionalSchedule => ({ ...plainTiming(item.schedule), selective_mode: item.item })),
  };
}

/**
 * Whether an additional schedule can be a 2024 item without claiming anything untrue: it is narrowed by
 * incremental-ness only (no `schemas`) and runs normally. `resync_mode: normal` is the same run as no resync mode.
 */
function isItemisable(schedule: AdditionalSchedule): schedule is AdditionalSchedule & { selective_mode: ItemisedMode } {
  return (
    (schedule.selective_mode === 'incrementalFields' || schedule.selective_mode === 'nonincrementalFields') &&
    schedule.schemas === undefined &&
    (schedule.resync_mode === undefined || schedule.resync_mode === 'normal')
  );
}

/**
 * Down (2025 → 2024). The additional schedules shown are the itemisable ones, and of those only the first per
 * selective mode (2024 has one item per kind). None shown: the plain default schedule. Otherwise a multi schedule
 * whose first item is the default schedule, itemised as the kind the shown items leave uncovered (`none` when they
 * cover both), then the shown items in their order. Every other additional schedule is left out of the 2024 view:
 * it is never widened into something it is not.
 */
export function downgradeToLegacySchedule(configuration: BulkScheduleConfiguration): LegacyBulkSchedule {
  const shown: (AdditionalSchedule & { selective_mode: ItemisedMode })[] = [];
  for (const schedule of configuration.additional_schedules) {
    if (isItemisable(schedule) && !shown.some((other) => other.selective_mode === schedule.selective_mode))
      shown.push(schedule);
  }
  const defaultTiming = timingOf(configuration.default_schedule);
  if (shown.length === 0) return defaultTiming;
  const defaultItem: SelectiveMode =
    shown.length === 2
      ? 'none'
      : shown[0].selective_mode === 'incrementalFields'
        ? 'nonincrementalFields'
        : 'incrementalFields';
  const schedules: LegacyItemizedSchedule[] = [
    { item: defaultItem, schedule: defaultTiming },
    ...shown.map((schedule) => ({ item: schedule.selective_mode, schedule: timingOf(schedule) })),
  ];
  return { frequency: 'multi', multi: { schedules } };
}

/**
 * Whether down then up gives the configuration back (ids and metadata aside): every additional schedule is
 * itemisable with no `resync_mode` at all, and no two share a selective mode.
 */
export function hasExactLegacyForm(configuration: BulkScheduleConfiguration): boolean {
  const modes = new Set<SelectiveMode>();
  for (const schedule of configuration.additional_schedules) {
    if (!isItemisable(schedule) || schedule.resync_mode !== undefined || modes.has(schedule.selective_mode))
      return false;
    modes.add(schedule.selective_mode);
  }
  return true;
}

/**
 * The form in which a 2024 schedule comes back from a round trip through Ferry: `downgrade(upgrade(s))`. Canonical
 * schedules are their own canonical form; the others (a one-item multi, an item `none` paired with one other, `none`
 * not first) are rewritten into the equivalent canonical one.
 */
export function canonicalLegacySchedule(legacy: LegacyBulkSchedule): LegacyBulkSchedule {
  return downgradeToLegacySchedule(upgradeLegacySchedule(legacy));
}

/** A plain timing, whose frequency a validated 2024 schedule guarantees is not multi. */
function plainTiming(schedule: LegacyBulkSchedule): ScheduleTiming<BulkScheduleFrequency> {
  return timingOf(schedule) as ScheduleTiming<BulkScheduleFrequency>;
}
