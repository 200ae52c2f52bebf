// Keeps the scheduler's state rows in step with the stored schedules: a row for every firing schedule of every active
// sync, none for anything else. A new or changed schedule starts from its first due time after now; a sync made
// inactive loses its rows, so that making it active again does not replay what it skipped. Any process may run this
// at any time: inserts that lose a race are dropped, and updates are versioned.
import type { AppContext } from '../../app-context.ts';
import { firstDueAt } from '../../domain/schedules/index.ts';
import {
  type ScheduleStateRow,
  scheduleStatesRepository,
} from '../../persistence/repositories/schedule-states-repository.ts';
import {
  type ScheduledSyncRow,
  scheduledSyncsRepository,
} from '../../persistence/repositories/scheduled-syncs-repository.ts';
import { firingSchedulesOf } from './firing-schedules-of.ts';

const keyOf = (row: { sync_kind: string; sync_id: string; schedule_id: string }) =>
  `${row.sync_kind}\u0000${row.sync_id}\u0000${row.schedule_id}`;

export interface ReconciledSchedules {
  /** The active syncs with at least one firing schedule. */
  syncs: ScheduledSyncRow[];
  states: ScheduleStateRow[];
}

/** Brings the state rows up to date; returns them as they now are, with the syncs they belong to. */
export async function reconcileScheduleStates(
  context: Pick<AppContext, 'database' | 'log'>,
  now: Date,
): Promise<ReconciledSchedules> {
  const syncs: ScheduledSyncRow[] = [];
  const states = scheduleStatesRepository(context.database.db);
  const existing = new Map((await states.all()).map((row) => [keyOf(row), row]));
  const wanted = new Map<string, ScheduleStateRow>();
  for (const sync of await scheduledSyncsRepository(context.database.db).all()) {
    if (sync.active !== 1) continue;
    let firing: ReturnType<typeof firingSchedulesOf>;
    try {
      firing = firingSchedulesOf(sync.kind, sync.schedule);
    } catch (error) {
      context.log.warn(
        { err: error, syncId: sync.id, organizationId: sync.organization_id },
        'scheduler: unreadable schedule',
      );
      continue;
    }
    if (firing.length > 0) syncs.push(sync);
    for (const schedule of firing) {
      const row: ScheduleStateRow = {
        sync_kind: sync.kind,
        sync_id: sync.id,
        schedule_id: schedule.scheduleId,
        organization_id: sync.organization_id,
        frequency: schedule.frequency,
        fingerprint: schedule.fingerprint,
        next_fire_at: firstDueAt(schedule, now, sync.updated_at)?.toISOString() ?? null,
        watermark: schedule.frequency === 'runafter' ? now.toISOString() : null,
        claims: 0,
        last_fired_at: null,
        last_execution_id: null,
        updated_at: now.toISOString(),
      };
      wanted.set(keyOf(row), row);
    }
  }
  const result: ScheduleStateRow[] = [];
  for (const [key, row] of wanted) {
    const current = existing.get(key);
    if (!current) {
      await states.insertIfMissing(row);
      result.push(row);
    } else if (current.fingerprint !== row.fingerprint) {
      const { sync_kind, sync_id, schedule_id, claims, last_fired_at, last_execution_id, ...changes } = row;
      await states.advance(current, current.claims, changes);
      result.push({
        ...row,
        claims: current.claims + 1,
        last_fired_at: current.last_fired_at,
        last_execution_id: current.last_execution_id,
      });
    } else {
      result.push(current);
    }
  }
  for (const [key, row] of existing) if (!wanted.has(key)) await states.remove(row);
  return { syncs, states: result };
}
