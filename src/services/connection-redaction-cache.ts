// Redacted configurations, remembered per connection, so that listing connections does not decrypt, parse and
// redact every configuration on every request (under load that was most of GET /api/connections' time: bench/api).
// An entry is used only while the row's sealed configuration is the very ciphertext it was made from: every save
// seals anew with a fresh nonce, so an update by any process makes the entry miss. What is kept holds no secret.

type Configuration = Record<string, unknown>;

interface Entry {
  sealed: string;
  type: string;
  configuration: Configuration;
}

/** Frozen, so that a response step that changed a shared entry in place would fail loudly instead of leaking. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function createRedactedConfigurationCache(maxEntries = 10_000) {
  const entries = new Map<string, Entry>();
  return {
    /** The cached redaction of (id, sealed), or `redact()`'s, remembered. Callers must not change what they get. */
    get(id: string, sealed: string, type: string, redact: () => Configuration): Configuration {
      const found = entries.get(id);
      if (found && found.sealed === sealed && found.type === type) return found.configuration;
      const configuration = deepFreeze(redact());
      entries.delete(id);
      // Oldest first out: a Map iterates in insertion order, and a hit re-inserts nothing, so this is FIFO by miss.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(id, { sealed, type, configuration });
      return configuration;
    },
  };
}
