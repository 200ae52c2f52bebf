// GET /api/syncs/schedules (ScheduleOptionResponse): the model-sync frequencies Ferry can run, each with a JSON
// schema form of the fields it takes. Data, not code: the route returns it as is.
import type { ModelSyncScheduleFrequency } from './schedule-vocabulary.ts';

interface ScheduleOption {
  frequency: ModelSyncScheduleFrequency;
  label: string;
  description: string;
  /** JsonschemaForm: a JSON schema of the fields this frequency reads. */
  configuration: Record<string, unknown>;
}

export interface ScheduleOptionResponse {
  schedule_options: ScheduleOption[];
}

const minute = {
  type: 'string',
  title: 'Minute',
  description: 'Minute past the hour, 0-59 (UTC)',
  pattern: '^[0-5]?[0-9]$',
};
const hour = {
  type: 'string',
  title: 'Hour',
  description: 'Hour of the day, 0-23 (UTC)',
  pattern: '^([01]?[0-9]|2[0-3])$',
};
const dayOfWeek = {
  type: 'string',
  title: 'Day of week',
  enum: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],
};
const cronField = (title: string) => ({
  type: 'string',
  title,
  description: 'One cron field (e.g. */15, 1-5, L); absent means *',
});

function form(properties: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return { type: 'object', properties, required };
}

/**
 * Leaves out `builder` and `dbtcloud`, which validation accepts for compatibility but no Ferry clock fires
 * (next-run.ts FREQUENCY_TRIGGERS), and `multi`, which is bulk-only and gone in 2025-09-18.
 */
export const MODEL_SYNC_SCHEDULE_OPTIONS: ScheduleOptionResponse = {
  schedule_options: [
    {
      frequency: 'manual',
      label: 'Manual',
      description: 'Runs only when started through the API.',
      configuration: form({}, []),
    },
    {
      frequency: 'continuous',
      label: 'Continuous',
      description: 'Runs again as soon as the previous run finishes, at most once a minute.',
      configuration: form({}, []),
    },
    {
      frequency: 'hourly',
      label: 'Hourly',
      description: 'Runs every hour at the given minute (UTC).',
      configuration: form({ minute }, ['minute']),
    },
    {
      frequency: 'daily',
      label: 'Daily',
      description: 'Runs every day at the given time (UTC).',
      configuration: form({ hour, minute }, ['hour', 'minute']),
    },
    {
      frequency: 'weekly',
      label: 'Weekly',
      description: 'Runs every week on the given day at the given time (UTC).',
      configuration: form({ day_of_week: dayOfWeek, hour, minute }, ['day_of_week', 'hour', 'minute']),
    },
    {
      frequency: 'custom',
      label: 'Custom',
      description: 'Runs on a cron expression (UTC) spelled by minute, hour, day_of_month, month and day_of_week.',
      configuration: form(
        {
          minute: cronField('Minute'),
          hour: cronField('Hour'),
          day_of_month: cronField('Day of month'),
          month: cronField('Month'),
          day_of_week: cronField('Day of week'),
        },
        ['minute', 'hour'],
      ),
    },
    {
      frequency: 'runafter',
      label: 'Run after',
      description: 'Runs after the given syncs complete (only after a success with run_after_success_only).',
      configuration: form(
        {
          run_after: {
            type: 'object',
            properties: {
              sync_ids: { type: 'array', items: { type: 'string' } },
              bulk_sync_ids: { type: 'array', items: { type: 'string' } },
            },
          },
          run_after_success_only: { type: 'boolean', default: false },
        },
        ['run_after'],
      ),
    },
  ],
};
