// A clock that moves only when the test moves it. Timers fire in due order during advance(), each at its own due time
// (now() inside a callback reads that time), and promise continuations run between them, so code that awaits after a
// timer has settled before the next one fires.
import { type Clock, type TimerHandle, sleepOn } from '../../src/domain/clock.ts';

interface Timer {
  id: number;
  due: number;
  order: number;
  callback: () => void;
}

export interface FakeClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that comes due on the way. */
  advance(ms: number): Promise<void>;
  /** Moves time to `at` (never backwards), firing timers on the way. */
  advanceTo(at: Date | string | number): Promise<void>;
  /** How many timers are waiting. */
  pendingTimers(): number;
}

export function createFakeClock(start: Date | string | number = '2026-01-01T00:00:00.000Z'): FakeClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new Error(`fake clock: not a time: ${String(start)}`);
  let nextId = 1;
  let order = 0;
  const timers = new Map<number, Timer>();

  const settle = async () => {
    for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  };

  const clock: FakeClock = {
    now: () => new Date(current),
    nowMs: () => current,
    setTimeout(callback, ms) {
      const timer = { id: nextId++, due: current + Math.max(0, ms), order: order++, callback };
      timers.set(timer.id, timer);
      return { id: timer.id };
    },
    clearTimeout(handle: TimerHandle) {
      if (handle && typeof handle === 'object' && 'id' in handle) timers.delete(handle.id as number);
    },
    sleep: (ms, signal) => sleepOn(clock, ms, signal),
    async advance(ms) {
      await clock.advanceTo(current + ms);
    },
    async advanceTo(at) {
      const target = new Date(at).getTime();
      await settle();
      for (;;) {
        let next: Timer | undefined;
        for (const timer of timers.values()) {
          if (timer.due > target) continue;
          if (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
        }
        if (!next) break;
        timers.delete(next.id);
        current = Math.max(current, next.due);
        next.callback();
        await settle();
      }
      current = Math.max(current, target);
      await settle();
    },
    pendingTimers: () => timers.size,
  };
  return clock;
}
