// Timestamps are ISO-8601 UTC text in the database (see schema.ts), read from the clock the caller was given.
import type { Clock } from '../../domain/clock.ts';

export function nowIso(clock: Clock): string {
  return clock.now().toISOString();
}
