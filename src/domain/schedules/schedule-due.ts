// When a firing schedule is due, from what the scheduler stores about it. The scheduler fires by these functions and
// the status endpoints show their answer as next_execution_time, so the two never disagree.
import type { FiringSchedule } from './firing-schedules.ts';
import { nextRunAt } from './next-run.ts';

/** What due-time decisions read from the scheduler's state row of a schedule. */
export interface DueState {
  next_fire_at: string | null;
}

/**
 * How far back the first due time of a new or changed schedule may reach: a sync written at 10:00:58 with "every
 * minute" is due at 10:01:00 even when the scheduler first sees it at 10:01:03, but a sync stored long before the
 * scheduler ran (an upgrade) does not fire at once for a time it was never promised.
 */
const FIRST_DUE_LOOKBACK_MS = 60_000;

/**
 * The first due time of a schedule the scheduler starts to track (a new sync, a changed schedule, a sync made
 * active), counted from `writtenAt`, when the sync was last written, if that is at most FIRST_DUE_LOOKBACK_MS before
 * `now` (and not after it), else from `now`: a clock schedule's next time strictly after that; a continuous one that
 * moment, so that it starts at once; null for runafter, which completions fire.
 */
export function firstDueAt(schedule: FiringSchedule, now: Date, writtenAt?: string): Date | null {
  const written = writtenAt ? Date.parse(writtenAt) : Number.NaN;
  const recent = written <= now.getTime() && written >= now.getTime() - FIRST_DUE_LOOKBACK_MS;
  const from = recent ? new Date(written) : now;
  if (schedule.frequency === 'continuous') return from;
  if (schedule.frequency === 'runafter') return null;
  return nextRunAt(schedule.timing, from);
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
