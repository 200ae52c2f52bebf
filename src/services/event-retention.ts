// Deletes events (and webhook delivery records) older than the retention period, on a timer of the app's Clock so
// that tests move time instead of waiting 48 hours. Runs in every worker process; deleting is idempotent.
import type { AppContext } from '../app-context.ts';
import { ferryDefaults } from '../config.ts';
import type { TimerHandle } from '../domain/clock.ts';

export interface EventRetention {
  /** Prunes now; resolves to how many events were deleted. */
  prune(): Promise<number>;
  stop(): void;
}

export function startEventRetention(
  context: Pick<AppContext, 'repositories' | 'clock' | 'config' | 'log'>,
  intervalMs: number = ferryDefaults.eventPruneIntervalMs,
): EventRetention {
  const { clock } = context;
  let timer: TimerHandle | undefined;
  let stopped = false;
  const prune = async () => {
    const cutoff = new Date(clock.nowMs() - context.config.eventRetentionHours * 60 * 60 * 1000).toISOString();
    return context.repositories.events.prune(cutoff);
  };
  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      prune()
        .then((deleted) => {
          if (deleted > 0) context.log.info({ deleted }, 'old events pruned');
        })
        .catch((error: unknown) => context.log.warn({ err: error }, 'pruning old events failed'))
        .finally(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    prune,
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
    },
  };
}
