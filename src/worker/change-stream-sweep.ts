// Drops the change streams of syncs that no longer use them (src/services/change-streams-service.ts), once when the
// worker starts and then on a timer of the app's Clock: a drop that failed when the sync was deleted or changed (its
// source was unreachable then) is retried here, so a forgotten slot does not pin the source's log for ever. Every
// worker-role process runs it; dropping is idempotent.
import type { AppContext } from '../app-context.ts';
import { ferryDefaults } from '../config.ts';
import type { TimerHandle } from '../domain/clock.ts';
import type { ChangeStreamsService } from '../services/change-streams-service.ts';

export function startChangeStreamSweep(
  context: Pick<AppContext, 'clock' | 'log'>,
  changeStreams: Pick<ChangeStreamsService, 'sweep'>,
  intervalMs: number = ferryDefaults.changeCapture.sweepIntervalMs,
): { stop(): Promise<void> } {
  let timer: TimerHandle | undefined;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = changeStreams
      .sweep()
      .then((dropped) => {
        if (dropped > 0) context.log.info({ dropped }, 'change streams of deleted or changed syncs dropped');
      })
      .catch((error: unknown) => context.log.warn({ err: error }, 'change stream sweep failed'))
      .finally(schedule);
  };
  const schedule = () => {
    if (!stopped) timer = context.clock.setTimeout(sweep, intervalMs);
  };
  sweep();
  return {
    async stop() {
      stopped = true;
      if (timer) context.clock.clearTimeout(timer);
      await running;
    },
  };
}
