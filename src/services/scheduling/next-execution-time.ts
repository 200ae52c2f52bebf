// next_execution_time of the status endpoints: when the scheduler will fire the sync next, from the same state rows
// and the same due rule it fires by (due-firings.ts). None for an inactive sync or one that only runs when started;
// none while a continuous sync's run is in progress (the next one is a gap after it finishes). A time in the past
// means the sync is due and waits for its open execution to finish.
import type { AppContext } from '../../app-context.ts';
import {
  type ScheduleStateRow,
  scheduleStatesRepository,
  type SyncKind,
} from '../../persistence/repositories/schedule-states-repository.ts';
import { checkDue } from './due-firings.ts';
import { firingSchedulesOf } from './firing-schedules-of.ts';

async function nextExecutionTime(
  context: Pick<AppContext, 'database' | 'clock' | 'config'>,
  sync: {
    kind: SyncKind;
    id: string;
    organization_id: string;
    active: boolean;
    scheduleJson: string;
    updated_at: string;
  },
): Promise<Date | undefined> {
  if (!sync.active) return undefined;
  const schedules = firingSchedulesOf(sync.kind, sync.scheduleJson);
  if (schedules.length === 0) return undefined;
  const db = context.database.db;
  const states: ScheduleStateRow[] = await scheduleStatesRepository(db).ofSync(sync.kind, sync.id);
  const now = context.clock.now();
  const check = await checkDue(db, sync, schedules, states, now, context.config.continuousGapMs);
  const due = check.due.filter((firing) => !firing.schedule.runAfter).map((firing) => firing.dueAt.getTime());
  if (due.length > 0) return new Date(Math.min(...due));
  return check.upcoming ?? undefined;
}

export function bulkSyncNextExecutionTime(
  context: Pick<AppContext, 'database' | 'clock' | 'config'>,
  sync: { id: string; organization_id: string; active: number; schedules: string; updated_at: string },
): Promise<Date | undefined> {
  return nextExecutionTime(context, {
    kind: 'bulk',
    id: sync.id,
    organization_id: sync.organization_id,
    active: sync.active === 1,
    scheduleJson: sync.schedules,
    updated_at: sync.updated_at,
  });
}

export function modelSyncNextExecutionTime(
  context: Pick<AppContext, 'database' | 'clock' | 'config'>,
  sync: { id: string; organization_id: string; active: boolean; schedule: unknown; updated_at: string },
): Promise<Date | undefined> {
  return nextExecutionTime(context, {
    kind: 'model',
    id: sync.id,
    organization_id: sync.organization_id,
    active: sync.active,
    scheduleJson: JSON.stringify(sync.schedule),
    updated_at: sync.updated_at,
  });
}
