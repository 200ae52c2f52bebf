// Which of a sync's firing schedules are due now, and when the others next are. The scheduler fires what this says
// is due, and next_execution_time (next-execution-time.ts) is the earliest time it gives, so they cannot disagree.
import type { Kysely } from 'kysely';
import { dueAt, type FiringSchedule, firstDueAt, type PreviousRun } from '../../domain/schedules/index.ts';
import { terminalBulkStatuses } from '../../persistence/repositories/bulk-executions-repository.ts';
import { terminalModelSyncStatuses } from '../../persistence/repositories/model-sync-executions-repository.ts';
import type { ScheduleStateRow, SyncKind } from '../../persistence/repositories/schedule-states-repository.ts';
import { syncCompletionsRepository } from '../../persistence/repositories/sync-completions-repository.ts';
import type { Database } from '../../persistence/schema.ts';

export interface DueFiring {
  schedule: FiringSchedule;
  state: ScheduleStateRow;
  /** The due time that fires: the schedule's time, or the finish of the preceding run (runafter). */
  dueAt: Date;
  /** runafter: the watermark the claim stores (the latest finish it saw). */
  watermark?: string;
}

export interface DueCheck {
  due: DueFiring[];
  /** The earliest due time still to come; null when none is known (runafter, a continuous run in progress). */
  upcoming: Date | null;
  /** runafter rows with new finishes that do not fire (run_after_success_only and none succeeded): move past them. */
  passed: Array<{ state: ScheduleStateRow; watermark: string }>;
}

export interface SyncUnderSchedule {
  kind: SyncKind;
  id: string;
  organization_id: string;
  /** When the sync was last written: a schedule the scheduler does not track yet counts from then (firstDueAt). */
  updated_at: string;
}

/** For run_after_success_only, a preceding run succeeded when it completed (a bulk run with record errors did not). */
const succeeded = (status: string) => status === 'completed';

async function previousRunOf(db: Kysely<Database>, sync: SyncUnderSchedule): Promise<PreviousRun> {
  const table = sync.kind === 'bulk' ? 'bulk_sync_executions' : 'model_sync_executions';
  const terminal: readonly string[] = sync.kind === 'bulk' ? terminalBulkStatuses : terminalModelSyncStatuses;
  const open = await db
    .selectFrom(table)
    .select('id')
    .where('sync_id', '=', sync.id)
    .where('status', 'not in', [...terminal])
    .executeTakeFirst();
  return {
    running: open !== undefined,
    finishedAt: await syncCompletionsRepository(db).lastCompletedAt(sync.kind, sync.id),
  };
}

/**
 * Checks every firing schedule of the sync against its state row. A schedule without a row (or whose row has another
 * fingerprint: the reconciler has not seen the change yet) counts as new: its first due time after now.
 */
export async function checkDue(
  db: Kysely<Database>,
  sync: SyncUnderSchedule,
  schedules: FiringSchedule[],
  states: ScheduleStateRow[],
  now: Date,
  continuousGapMs: number,
): Promise<DueCheck> {
  const check: DueCheck = { due: [], upcoming: null, passed: [] };
  const byId = new Map(states.map((state) => [state.schedule_id, state]));
  let previous: PreviousRun | undefined;
  const later = (time: Date | null) => {
    if (time && time > now && (!check.upcoming || time < check.upcoming)) check.upcoming = time;
  };
  for (const schedule of schedules) {
    const state = byId.get(schedule.scheduleId);
    if (!state || state.fingerprint !== schedule.fingerprint) {
      later(firstDueAt(schedule, now, sync.updated_at));
      continue;
    }
    if (schedule.runAfter) {
      const completions = syncCompletionsRepository(db);
      const after = state.watermark ?? state.updated_at;
      const finished = [
        ...(await completions.since('model', sync.organization_id, schedule.runAfter.syncIds, after)),
        ...(await completions.since('bulk', sync.organization_id, schedule.runAfter.bulkSyncIds, after)),
      ].sort((a, b) => a.completed_at.localeCompare(b.completed_at));
      if (finished.length === 0) continue;
      const watermark = finished[finished.length - 1].completed_at;
      const firing = finished.find((completion) => !schedule.runAfter!.successOnly || succeeded(completion.status));
      if (firing) check.due.push({ schedule, state, dueAt: new Date(firing.completed_at), watermark });
      else check.passed.push({ state, watermark });
      continue;
    }
    if (schedule.frequency === 'continuous' && state.next_fire_at === null) previous ??= await previousRunOf(db, sync);
    const time = dueAt(schedule, state, previous ?? { running: false, finishedAt: undefined }, continuousGapMs);
    if (time && time <= now) check.due.push({ schedule, state, dueAt: time });
    else later(time);
  }
  return check;
}
