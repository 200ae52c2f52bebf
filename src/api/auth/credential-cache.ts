// Authenticated principals by key hash, so that a request does not pay a database round trip to learn who is
// calling (measured: the lookup was ~75% of the gap to a bare Fastify route, bench/README.md). Entries live
// `ttlMs`; every change that can revoke a key in this process clears the cache at once, and a key revoked by another
// process (a second API process, `ferry keys revoke`) stops working within `ttlMs`.
import type { Caller } from './caller.ts';

export interface CredentialCache {
  get(keyHash: string): Caller | undefined;
  set(keyHash: string, caller: Caller): void;
  /** Forget everything: called whenever keys are revoked, users deleted or organizations removed. */
  clear(): void;
}

export function createCredentialCache(options: { ttlMs: number; maxEntries: number; now?: () => number }): CredentialCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { caller: Caller; expiresAt: number }>();
  return {
    get(keyHash) {
      const entry = entries.get(keyHash);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        entries.delete(keyHash);
        return undefined;
      }
      return entry.caller;
    },
    set(keyHash, caller) {
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(keyHash, { caller, expiresAt: now() + options.ttlMs });
    },
    clear() {
      entries.clear();
    },
  };
}
