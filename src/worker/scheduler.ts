// The scheduler loop. It runs in every process with the worker role (`ferry serve` without --no-worker, and
// `ferry worker`), on the context's clock: a round brings the schedule state up to date and fires what is due
// (src/services/scheduling), then the loop sleeps until the earliest next due time, at most `pollMs`, so that a sync
// created or changed through another process is seen within that. nudge() starts a round at once (an execution
// finished in this process: a continuous or runafter sync may be due). stop() waits for the round in progress.
import type { AppContext } from '../app-context.ts';
import {
  type FiringRound,
  fireDueSchedules,
  type ScheduleFiredEvent,
  type SchedulingServices,
} from '../services/scheduling/schedule-claims.ts';

type FiredListener = (event: ScheduleFiredEvent) => void;
const firedListeners = new Set<FiredListener>();

/**
 * A hook for every execution a scheduler in this process starts, with its due time and start time (their difference
 * is the scheduler's delay, which the loop also records in the context's metrics, ferry_scheduler_delay_seconds).
 * Returns the unsubscribe function.
 */
export function onScheduleFired(listener: FiredListener): () => void {
  firedListeners.add(listener);
  return () => firedListeners.delete(listener);
}

export interface Scheduler {
  /** Runs a round now (after the one in progress, if any) and resolves with what it fired. */
  runRound(): Promise<FiringRound>;
  /** Wakes the loop for a round as soon as it is free. */
  nudge(): void;
  /** Resolves once no round is in progress and the loop sleeps. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export function startScheduler(
  context: Pick<AppContext, 'database' | 'repositories' | 'log' | 'config' | 'clock' | 'metrics'>,
  services: SchedulingServices,
  options: { pollMs?: number } = {},
): Scheduler {
  const pollMs = options.pollMs ?? context.config.schedulerPollMs;
  let stopped = false;
  let wake = new AbortController();
  let rounds: Promise<unknown> = Promise.resolve();
  /** True while the loop sleeps and nothing has woken it yet. */
  let asleep = false;
  let wokenEarly = false;

  const reportFired = (event: ScheduleFiredEvent) => {
    context.log.info(
      {
        syncId: event.syncId,
        organizationId: event.organizationId,
        scheduleId: event.scheduleIds.join(','),
        executionId: event.executionId,
        kind: event.kind,
        dueAt: event.dueAt.toISOString(),
      },
      'scheduler: started a scheduled execution',
    );
    context.metrics.observeSchedulerDelay((event.startedAt.getTime() - event.dueAt.getTime()) / 1000, event.kind);
    for (const listener of firedListeners) {
      try {
        listener(event);
      } catch (error) {
        context.log.warn({ err: error }, 'scheduler: a fired listener threw');
      }
    }
  };

  const runRound = (): Promise<FiringRound> => {
    const round = rounds.then(() => fireDueSchedules(context, services, context.clock.now(), reportFired));
    rounds = round.catch(() => undefined);
    return round;
  };

  const loop = (async () => {
    while (!stopped) {
      let upcoming: Date | null = null;
      try {
        upcoming = (await runRound()).upcoming;
      } catch (error) {
        context.log.error({ err: error }, 'scheduler: round failed; trying again after the poll interval');
      }
      if (stopped) break;
      if (wokenEarly) {
        wokenEarly = false;
        continue;
      }
      const untilDue = upcoming ? upcoming.getTime() - context.clock.nowMs() : pollMs;
      wake = new AbortController();
      asleep = true;
      await context.clock.sleep(Math.max(0, Math.min(pollMs, untilDue)), wake.signal);
      asleep = false;
    }
  })();

  return {
    runRound,
    nudge() {
      if (asleep) {
        asleep = false;
        wake.abort();
      } else wokenEarly = true;
    },
    async settled() {
      for (;;) {
        await rounds;
        if (asleep || stopped) return;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    async stop() {
      stopped = true;
      wake.abort();
      await loop;
      await rounds;
    },
  };
}
