// Authenticated principals by the key as presented, so that a request does not pay a database round trip to learn
// who is calling (measured: the lookup was ~75% of the gap to a bare Fastify route, bench/README.md). Entries live
// `ttlMs`; every change that can revoke a key in this process clears the cache at once, and a key revoked by another
// process (a second API process, `ferry keys revoke`) stops working within `ttlMs`.
// Keyed by the key itself, not its SHA-256: hashing was ~3.5 µs of a ~60 µs cached request under bench/api load, and
// the process holds every presented key in its request buffers anyway. Keys are hashed before any database lookup.
import type { Caller } from './caller.ts';

export interface CredentialCache {
  get(token: string): Caller | undefined;
  set(token: string, caller: Caller): void;
  /** Forget everything: called whenever keys are revoked, users deleted or organizations removed. */
  clear(): void;
}

export function createCredentialCache(options: {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}): CredentialCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { caller: Caller; expiresAt: number }>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(token);
        return undefined;
      }
      return entry.caller;
    },
    set(token, caller) {
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(token, { caller, expiresAt: now() + options.ttlMs });
    },
    clear() {
      entries.clear();
    },
  };
}
