// Validation of the 2025-09-18 `default_schedule` / `additional_schedules` request fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateBulkScheduleRequest, type ScheduleIssue } from '../../../src/domain/schedules/index.ts';

function issuesOf(body: unknown): ScheduleIssue[] {
  const result = validateBulkScheduleRequest(body);
  assert.equal(result.ok, false, 'expected the body to be refused');
  return result.ok ? [] : result.issues;
}

function fieldsOf(body: unknown): string[] {
  return issuesOf(body).map((issue) => issue.field);
}

test("the migration guide's 2025-09-18 payload is accepted as sent, strings verbatim", () => {
  const result = validateBulkScheduleRequest({
    name: 'my bulk sync',
    default_schedule: { frequency: 'continuous' },
    additional_schedules: [{ selective_mode: 'nonincrementalFields', frequency: 'daily', hour: '05', minute: '00' }],
  });
  assert.deepEqual(result, {
    ok: true,
    value: {
      default_schedule: { frequency: 'continuous' },
      additional_schedules: [{ selective_mode: 'nonincrementalFields', frequency: 'daily', hour: '05', minute: '00' }],
    },
  });
});

test('additional schedules may carry schemas, resync_mode and ids; [] schemas, null and "" fields count as absent', () => {
  const result = validateBulkScheduleRequest({
    default_schedule: { id: 'd1', frequency: 'manual', hour: '', minute: null },
    additional_schedules: [
      {
        id: 'a1',
        frequency: 'weekly',
        day_of_week: 'sunday',
        hour: '3',
        minute: '0',
        schemas: ['public.users'],
        resync_mode: 'rebuild',
      },
      { frequency: 'hourly', minute: '30', schemas: [], selective_mode: 'incrementalFields' },
    ],
  });
  assert.deepEqual(result, {
    ok: true,
    value: {
      default_schedule: { id: 'd1', frequency: 'manual' },
      additional_schedules: [
        {
          id: 'a1',
          frequency: 'weekly',
          day_of_week: 'sunday',
          hour: '3',
          minute: '0',
          schemas: ['public.users'],
          resync_mode: 'rebuild',
        },
        { frequency: 'hourly', minute: '30', selective_mode: 'incrementalFields' },
      ],
    },
  });
});

test('default_schedule is required and must be an object', () => {
  assert.deepEqual(fieldsOf({}), ['default_schedule']);
  assert.deepEqual(fieldsOf({ default_schedule: 'daily' }), ['default_schedule']);
  assert.deepEqual(fieldsOf(undefined), ['default_schedule']);
});

test('the default schedule may not carry selective_mode, schemas or resync_mode', () => {
  const issues = issuesOf({
    default_schedule: { frequency: 'manual', selective_mode: 'none', schemas: ['a'], resync_mode: 'normal' },
  });
  assert.deepEqual(
    issues.map((issue) => issue.field),
    ['default_schedule.selective_mode', 'default_schedule.schemas', 'default_schedule.resync_mode'],
  );
  assert.match(issues[0].message, /covers every schema and field/);
});

test('frequency must be a bulk frequency; multi, runafter and dbtcloud are refused with the reason', () => {
  const multi = issuesOf({ default_schedule: { frequency: 'multi', multi: { schedules: [] } } });
  assert.deepEqual(
    multi.map((issue) => issue.field),
    ['default_schedule.frequency'],
  );
  assert.match(multi[0].message, /multi is not accepted in 2025-09-18/);
  assert.match(issuesOf({ default_schedule: { frequency: 'runafter' } })[0].message, /no run_after field/);
  assert.match(issuesOf({ default_schedule: { frequency: 'dbtcloud' } })[0].message, /no connection_id or job_id/);
  assert.match(
    issuesOf({ default_schedule: { frequency: 'fortnightly' } })[0].message,
    /must be one of manual, continuous/,
  );
  assert.deepEqual(fieldsOf({ default_schedule: {} }), ['default_schedule.frequency']);
  assert.deepEqual(
    fieldsOf({ default_schedule: { frequency: 'manual' }, additional_schedules: [{ frequency: 'multi' }] }),
    ['additional_schedules[0].frequency'],
  );
});

// Issues come in cron field order: minute, hour, day_of_month, month, day_of_week.
test('hour 0-23 and minute 0-59, as one- or two-digit strings; numbers are refused', () => {
  const base = { default_schedule: { frequency: 'manual' } };
  const daily = (hour: unknown, minute: unknown) => ({
    ...base,
    additional_schedules: [
      { frequency: 'hourly', minute: '0' },
      { frequency: 'daily', hour, minute },
    ],
  });
  assert.equal(validateBulkScheduleRequest(daily('0', '0')).ok, true);
  assert.equal(validateBulkScheduleRequest(daily('23', '59')).ok, true);
  assert.equal(validateBulkScheduleRequest(daily('05', '09')).ok, true);
  assert.deepEqual(fieldsOf(daily('24', '0')), ['additional_schedules[1].hour']);
  assert.deepEqual(fieldsOf(daily('1', '60')), ['additional_schedules[1].minute']);
  assert.deepEqual(fieldsOf(daily('-1', '5.5')), ['additional_schedules[1].minute', 'additional_schedules[1].hour']);
  assert.deepEqual(fieldsOf(daily('005', ' 5')), ['additional_schedules[1].minute', 'additional_schedules[1].hour']);
  const numbers = issuesOf(daily(5, 0));
  assert.deepEqual(
    numbers.map((issue) => issue.field),
    ['additional_schedules[1].minute', 'additional_schedules[1].hour'],
  );
  assert.match(numbers[0].message, /must be a string/);
});

test('day_of_week is a day name or 0-6; day_of_month 1-31; month 1-12, even where the frequency does not use them', () => {
  const weekly = (day_of_week: string) => ({
    default_schedule: { frequency: 'weekly', day_of_week, hour: '1', minute: '2' },
  });
  for (const day of ['monday', 'Sunday', 'sat', '0', '6'])
    assert.equal(validateBulkScheduleRequest(weekly(day)).ok, true, day);
  for (const day of ['7', 'mondays', 'mo', 'monday,friday'])
    assert.deepEqual(fieldsOf(weekly(day)), ['default_schedule.day_of_week'], day);
  assert.equal(
    validateBulkScheduleRequest({ default_schedule: { frequency: 'manual', day_of_month: '31', month: '12' } }).ok,
    true,
  );
  assert.deepEqual(fieldsOf({ default_schedule: { frequency: 'manual', day_of_month: '0', month: '13' } }), [
    'default_schedule.day_of_month',
    'default_schedule.month',
  ]);
});

test('each frequency needs its fields: hourly minute; daily hour+minute; weekly day_of_week+hour+minute; custom minute+hour', () => {
  const missing = (schedule: Record<string, string>) =>
    issuesOf({ default_schedule: schedule }).map((issue) => `${issue.field}: ${issue.message}`);
  assert.deepEqual(missing({ frequency: 'hourly' }), ['default_schedule.minute: is required when frequency is hourly']);
  assert.deepEqual(missing({ frequency: 'daily', minute: '0' }), [
    'default_schedule.hour: is required when frequency is daily',
  ]);
  assert.deepEqual(missing({ frequency: 'weekly', hour: '1', minute: '0' }), [
    'default_schedule.day_of_week: is required when frequency is weekly',
  ]);
  assert.deepEqual(missing({ frequency: 'custom', minute: '*/5' }), [
    'default_schedule.hour: is required when frequency is custom',
  ]);
  for (const frequency of ['manual', 'continuous', 'builder']) {
    assert.equal(validateBulkScheduleRequest({ default_schedule: { frequency } }).ok, true, frequency);
  }
});

test('custom fields are cron fields checked by croner, each error naming its field', () => {
  const custom = (fields: Record<string, string>) => ({
    default_schedule: { frequency: 'custom', minute: '0', hour: '*', ...fields },
  });
  for (const ok of [
    { minute: '*/15' },
    { day_of_week: 'mon-fri' },
    { day_of_week: 'monday,friday' },
    { day_of_month: 'L' },
    { month: 'jan,jul' },
  ] as Record<string, string>[]) {
    assert.equal(validateBulkScheduleRequest(custom(ok)).ok, true, JSON.stringify(ok));
  }
  assert.deepEqual(fieldsOf(custom({ minute: '61' })), ['default_schedule.minute']);
  assert.deepEqual(fieldsOf(custom({ hour: '0 5' })), ['default_schedule.hour']);
  assert.deepEqual(fieldsOf(custom({ day_of_week: '@daily' })), ['default_schedule.day_of_week']);
  assert.deepEqual(fieldsOf(custom({ month: '13' })), ['default_schedule.month']);
  const never = issuesOf(custom({ day_of_month: '31', month: '2' }));
  assert.match(never[0].message, /never fires/);
});

test('selective_mode, resync_mode and schemas are checked on additional schedules', () => {
  const body = {
    default_schedule: { frequency: 'manual' },
    additional_schedules: [
      { frequency: 'manual', selective_mode: 'some', resync_mode: 'truncate' },
      { frequency: 'manual', schemas: 'public.users' },
      { frequency: 'manual', schemas: ['a', '', 'a'] },
      'daily',
    ],
  };
  assert.deepEqual(fieldsOf(body), [
    'additional_schedules[0].selective_mode',
    'additional_schedules[0].resync_mode',
    'additional_schedules[1].schemas',
    'additional_schedules[2].schemas[1]',
    'additional_schedules[2].schemas[2]',
    'additional_schedules[3]',
  ]);
  assert.deepEqual(fieldsOf({ default_schedule: { frequency: 'manual' }, additional_schedules: {} }), [
    'additional_schedules',
  ]);
  for (const resync_mode of ['normal', 'refetch', 'resync', 'rebuild']) {
    assert.equal(
      validateBulkScheduleRequest({
        default_schedule: { frequency: 'manual' },
        additional_schedules: [{ frequency: 'manual', resync_mode }],
      }).ok,
      true,
    );
  }
});

test('schedule ids are unique across the default and additional schedules', () => {
  assert.deepEqual(
    fieldsOf({
      default_schedule: { id: 'x', frequency: 'manual' },
      additional_schedules: [
        { id: 'y', frequency: 'manual' },
        { id: 'x', frequency: 'manual' },
      ],
    }),
    ['additional_schedules[1].id'],
  );
});
