// When a firing schedule is due, from what the scheduler stores about it. The scheduler fires by these functions and
// the status endpoints show their answer as next_execution_time, so the two never disagree.
import type { FiringSchedule } from './firing-schedules.ts';
import { nextRunAt } from './next-run.ts';

/** What due-time decisions read from the scheduler's state row of a schedule. */
export interface DueState {
  next_fire_at: string | null;
}

/**
 * The first due time of a schedule the scheduler has just started to track (a new sync, a changed schedule, a sync
 * made active): a clock schedule's next time strictly after `now`; a continuous one now, so that it starts at once;
 * null for runafter, which completions fire.
 */
export function firstDueAt(schedule: FiringSchedule, now: Date): Date | null {
  if (schedule.frequency === 'continuous') return now;
  if (schedule.frequency === 'runafter') return null;
  return nextRunAt(schedule.timing, now);
}

/**
 * The next due time once the schedule has fired at `firedAt`: strictly after it, so that however many times a
 * schedule was missed (downtime, a long run), it fires once and then keeps its rhythm. Continuous: null, meaning "a
 * gap after the run it started finishes" (see dueAt).
 */
export function nextDueAfterFiring(schedule: FiringSchedule, firedAt: Date): Date | null {
  if (schedule.frequency === 'continuous' || schedule.frequency === 'runafter') return null;
  return nextRunAt(schedule.timing, firedAt);
}

/** The sync's previous run as a continuous schedule sees it. */
export interface PreviousRun {
  /** An execution of the sync is open: the next continuous run waits for it to finish. */
  running: boolean;
  /** When the last finished execution finished; undefined when none has. */
  finishedAt: string | undefined;
}

/**
 * When the schedule is due. Clock schedules: the stored time. Continuous: the stored time when there is one (a new
 * schedule), else `continuousGapMs` after the sync's last execution finished; null while an execution is open (its
 * finish decides), and at once when none ever finished. Runafter: null (completions fire it, not a time).
 */
export function dueAt(
  schedule: FiringSchedule,
  state: DueState,
  previous: PreviousRun,
  continuousGapMs: number,
): Date | null {
  if (state.next_fire_at !== null) return new Date(state.next_fire_at);
  if (schedule.frequency !== 'continuous' || previous.running) return null;
  if (!previous.finishedAt) return new Date(0);
  return new Date(new Date(previous.finishedAt).getTime() + continuousGapMs);
}
