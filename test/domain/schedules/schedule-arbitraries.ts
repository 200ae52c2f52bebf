// fast-check generators of valid schedules in both versions, shared by the property tests.
import fc from 'fast-check';
import type {
  AdditionalSchedule,
  BulkScheduleConfiguration,
  BulkScheduleFrequency,
  LegacyBulkSchedule,
  LegacyItemizedSchedule,
  ScheduleTiming,
  SelectiveMode,
} from '../../../src/domain/schedules/index.ts';

const padded = (max: number, min = 0) =>
  fc
    .tuple(fc.integer({ min, max }), fc.boolean())
    .map(([value, pad]) => (pad ? String(value).padStart(2, '0') : String(value)));
const minute = padded(59);
const hour = padded(23);
const dayOfMonth = padded(31, 1);
const month = padded(12, 1);
const dayOfWeek = fc.constantFrom('sunday', 'monday', 'Tuesday', 'wed', 'THU', '5', '6');

function optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arbitrary, { nil: undefined });
}

/** Plain objects without undefined keys: fast-check's records have a null prototype, which deepStrictEqual tells apart. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Valid timing for one frequency: its required fields, plus any valid unused ones. */
function timingFor(frequency: BulkScheduleFrequency): fc.Arbitrary<ScheduleTiming> {
  if (frequency === 'custom') {
    return fc
      .record({
        minute: fc.constantFrom('0', '*/15', '5,35', '59'),
        hour: fc.constantFrom('*', '3', '9-17', '*/6'),
        day_of_month: optional(fc.constantFrom('1', '15', 'L', '*', '1-7')),
        month: optional(fc.constantFrom('*', '1-6', 'jan,jul', '12')),
        day_of_week: optional(fc.constantFrom('*', 'mon-fri', 'monday', '0')),
      })
      .map((fields) => withoutUndefined({ frequency, ...fields }));
  }
  const required =
    { hourly: ['minute'], daily: ['hour', 'minute'], weekly: ['day_of_week', 'hour', 'minute'] }[frequency as string] ??
    [];
  return fc
    .record({
      minute: optional(minute),
      hour: optional(hour),
      day_of_month: optional(dayOfMonth),
      month: optional(month),
      day_of_week: optional(dayOfWeek),
    })
    .chain((fields) =>
      fc.record({ minute, hour, day_of_week: dayOfWeek }).map((needed) => {
        const timing: Record<string, string | undefined> = { ...fields };
        for (const field of required) timing[field] = needed[field as keyof typeof needed];
        return withoutUndefined({ frequency, ...timing }) as ScheduleTiming;
      }),
    );
}

const bulkFrequency = fc.constantFrom<BulkScheduleFrequency>(
  'manual',
  'continuous',
  'hourly',
  'daily',
  'weekly',
  'custom',
  'builder',
);
const timing: fc.Arbitrary<ScheduleTiming> = bulkFrequency.chain(timingFor);

/** A 2024 schedule that is not multi. */
const legacyPlain: fc.Arbitrary<LegacyBulkSchedule> = timing;

function multiOf(items: SelectiveMode[]): fc.Arbitrary<LegacyBulkSchedule> {
  return fc.tuple(...items.map(() => timing)).map((schedules) => ({
    frequency: 'multi' as const,
    multi: { schedules: items.map((item, index): LegacyItemizedSchedule => ({ item, schedule: schedules[index] })) },
  }));
}

/** The four canonical multi layouts (docs/schedules.md). */
export const legacyCanonicalMulti = fc
  .constantFrom<SelectiveMode[]>(
    ['incrementalFields', 'nonincrementalFields'],
    ['nonincrementalFields', 'incrementalFields'],
    ['none', 'incrementalFields', 'nonincrementalFields'],
    ['none', 'nonincrementalFields', 'incrementalFields'],
  )
  .chain(multiOf);

/** Every multi 2024 validation accepts: one to three distinct items in any order. */
const legacyAnyMulti = fc
  .shuffledSubarray<SelectiveMode>(['none', 'incrementalFields', 'nonincrementalFields'], { minLength: 1 })
  .chain(multiOf);

export const legacyCanonical = fc.oneof(legacyPlain, legacyCanonicalMulti).map(plain);
export const legacyAny = fc.oneof(legacyPlain, legacyAnyMulti).map(plain);

const additional: fc.Arbitrary<AdditionalSchedule> = fc
  .record({
    timing,
    selective_mode: optional(fc.constantFrom<SelectiveMode>('none', 'incrementalFields', 'nonincrementalFields')),
    schemas: optional(
      fc.uniqueArray(fc.constantFrom('public.users', 'public.orders', 'sales.deals'), { minLength: 1, maxLength: 2 }),
    ),
    resync_mode: optional(
      fc.constantFrom('normal', 'refetch', 'resync', 'rebuild') as fc.Arbitrary<AdditionalSchedule['resync_mode']>,
    ),
  })
  .map(({ timing: fields, ...scope }) => withoutUndefined({ ...fields, ...scope }));

/** Any valid 2025-09-18 configuration. */
export const configuration: fc.Arbitrary<BulkScheduleConfiguration> = fc
  .record({ default_schedule: timing, additional_schedules: fc.array(additional, { maxLength: 4 }) })
  .map(plain);

/** Configurations that have an exact 2024 form: at most one plain additional schedule per incremental kind. */
export const exactConfiguration: fc.Arbitrary<BulkScheduleConfiguration> = fc
  .tuple(timing, fc.shuffledSubarray<SelectiveMode>(['incrementalFields', 'nonincrementalFields']))
  .chain(([default_schedule, modes]) =>
    fc.tuple(...modes.map(() => timing)).map((timings) => ({
      default_schedule,
      additional_schedules: modes.map((selective_mode, index) => ({ ...timings[index], selective_mode })),
    })),
  )
  .map(plain);
