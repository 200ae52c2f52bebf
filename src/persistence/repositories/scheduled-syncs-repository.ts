// Every sync's schedule, across organizations, as the scheduler reads it to keep its state rows in step.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import type { SyncKind } from './schedule-states-repository.ts';

export interface ScheduledSyncRow {
  kind: SyncKind;
  id: string;
  organization_id: string;
  active: number;
  /** JSON: StoredBulkSchedules (bulk) or the model sync's Schedule (model). */
  schedule: string;
  updated_at: string;
}

export function scheduledSyncsRepository(db: Kysely<Database>) {
  return {
    async all(): Promise<ScheduledSyncRow[]> {
      const bulk = await db
        .selectFrom('bulk_syncs')
        .select(['id', 'organization_id', 'active', 'schedules', 'updated_at'])
        .execute();
      const model = await db
        .selectFrom('model_syncs')
        .select(['id', 'organization_id', 'active', 'schedule', 'updated_at'])
        .execute();
      return [
        ...bulk.map(({ schedules, ...row }) => ({ kind: 'bulk' as const, ...row, schedule: schedules })),
        ...model.map((row) => ({ kind: 'model' as const, ...row })),
      ];
    },
  };
}
