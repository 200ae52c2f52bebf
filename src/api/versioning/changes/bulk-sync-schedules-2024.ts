// 2024-02-08's single `schedule` on bulk syncs ↔ 2025-09-18's default_schedule + additional_schedules. The rules
// (which item becomes the default, what a 2024 response shows for configurations it cannot express) are
// src/domain/schedules' and are written down in docs/schedules.md.
import Type from 'typebox';
import { ApiError } from '../../errors.ts';
import { copyOwnProperty } from '../../own-property.ts';
import type { UpConversion } from '../version-change.ts';
import {
  downgradeToLegacySchedule,
  upgradeLegacySchedule,
  validateLegacyBulkSchedule,
  type StoredBulkSchedules,
} from '../../../domain/schedules/index.ts';

type Body = Record<string, unknown>;

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A 2024 request body → 2025: `schedule` becomes default_schedule and additional_schedules; `discover` is dropped.
 * A merge patch without `schedule` keeps both.
 */
export function upgradeBulkSyncRequest(value: unknown, request: UpConversion): unknown {
  if (!isObject(value)) return value;
  const { schedule, discover: _discover, ...rest } = value;
  if (schedule === undefined && request.mergePatch) return rest;
  if (schedule === undefined)
    throw new ApiError('validation_failed', 'schedule: is required', { metadata: { field: 'schedule' } });
  const validated = validateLegacyBulkSchedule(schedule);
  if (!validated.ok) {
    const [first] = validated.issues;
    throw new ApiError('unprocessable', `${first!.field}: ${first!.message}`, {
      metadata: { field: first!.field, issues: validated.issues },
    });
  }
  return { ...rest, ...upgradeLegacySchedule(validated.value) };
}

/**
 * A 2025 BulkSyncResponse → 2024: `schedule` replaces default_schedule and additional_schedules. The other keys are
 * copied one by one (as a rest pattern would, in order): a 2024 list converts every sync of the organization.
 */
export function downgradeBulkSyncResponse(value: unknown): unknown {
  if (!isObject(value) || !isObject(value.default_schedule)) return value;
  const downgraded: Body = {};
  for (const key of Object.keys(value))
    if (key !== 'default_schedule' && key !== 'additional_schedules') copyOwnProperty(downgraded, key, value[key]);
  // The stored schedules as they are: the conversion reads only their timing and scope, never their metadata.
  const schedules = {
    default_schedule: value.default_schedule,
    additional_schedules: Array.isArray(value.additional_schedules) ? value.additional_schedules : [],
  } as unknown as StoredBulkSchedules;
  downgraded.schedule = downgradeToLegacySchedule(schedules);
  return downgraded;
}

const frequencies = [
  'manual',
  'continuous',
  'hourly',
  'daily',
  'weekly',
  'custom',
  'builder',
  'runafter',
  'multi',
  'dbtcloud',
];
const scheduleFields = {
  frequency: Type.Union(frequencies.map((frequency) => Type.Literal(frequency))),
  day_of_month: Type.Optional(Type.String()),
  day_of_week: Type.Optional(Type.String()),
  hour: Type.Optional(Type.String()),
  minute: Type.Optional(Type.String()),
  month: Type.Optional(Type.String()),
};

/** 2024-02-08's bulk schedule, as documented (docs/schedules.md says which configurations it can hold). */
export const LegacyBulkSchedule = Type.Object(
  {
    ...scheduleFields,
    multi: Type.Optional(
      Type.Object(
        {
          schedules: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  item: Type.Union([
                    Type.Literal('none'),
                    Type.Literal('incrementalFields'),
                    Type.Literal('nonincrementalFields'),
                  ]),
                  // One level of BulkSchedule: an itemized schedule holds no further `multi`.
                  schedule: Type.Object(scheduleFields),
                },
                { title: 'BulkItemizedSchedule' },
              ),
            ),
          ),
          type: Type.Optional(Type.String()),
        },
        { title: 'BulkMultiScheduleConfiguration' },
      ),
    ),
  },
  { title: 'BulkSchedule' },
);
