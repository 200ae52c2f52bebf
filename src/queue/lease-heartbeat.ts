// The timer that renews a worker's leases, shared by both adapters. A renewal starts `intervalMs` after the previous
// one ended, never while one is in flight: a slow database delays the next renewal instead of piling renewals up on
// it. Time comes from the Clock, so the schedule is tested on the fake clock.
import type { Clock, TimerHandle } from '../domain/clock.ts';

export interface LeaseHeartbeatOptions {
  clock: Clock;
  intervalMs: number;
  /** One renewal; a rejection goes to onError and the next renewal is still scheduled. */
  renew: () => Promise<void>;
  onError: (error: unknown) => void;
}

export interface LeaseHeartbeat {
  /** Stops scheduling, and waits for a renewal in flight. */
  stop(): Promise<void>;
}

export function startLeaseHeartbeat({ clock, intervalMs, renew, onError }: LeaseHeartbeatOptions): LeaseHeartbeat {
  let stopped = false;
  let timer: TimerHandle | undefined;
  let inFlight: Promise<void> | undefined;

  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      inFlight = renew()
        .catch(onError)
        .finally(() => {
          inFlight = undefined;
          schedule();
        });
    }, intervalMs);
    // A pending renewal must not keep the process alive on its own (the system clock's timers are Node timers).
    if (typeof timer === 'object' && 'unref' in timer) timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await inFlight;
    },
  };
}

/**
 * The heartbeat interval when none is given: the default, or a quarter of a lease too short for it (tests and
 * deployments that shorten the lease need not set both).
 */
export function defaultHeartbeatIntervalMs(leaseMs: number, defaultMs: number): number {
  return Math.max(1, Math.min(defaultMs, Math.floor(leaseMs / 4)));
}

/** The one rule both adapters and config.ts check: a live job must survive one late renewal. */
export function assertLeaseSettings(leaseMs: number, heartbeatIntervalMs: number): void {
  if (!(heartbeatIntervalMs > 0) || !(leaseMs > 0))
    throw new Error(`queue lease (${leaseMs} ms) and heartbeat interval (${heartbeatIntervalMs} ms) must be positive`);
  if (heartbeatIntervalMs * 2 > leaseMs)
    throw new Error(
      `the queue heartbeat interval (${heartbeatIntervalMs} ms) must be at most half the lease (${leaseMs} ms)`,
    );
}
