// Entity lookup: resolve any id without knowing its kind. Each resource registers a resolver (src/ferry.ts): organization,
// user, connection, model, sync, sync_execution, bulk_sync and bulk_sync_execution.

export type EntityViewer = { kind: 'organization'; organizationId: string } | { kind: 'partner'; partnerId: string };

export interface EntityRecord {
  id: string;
  type: string;
  organizationId: string;
  /** A path the caller can GET right away. */
  canonicalPath: string;
  relationships?: Record<string, { id: string; path: string }>;
  context?: Record<string, unknown>;
}

export interface EntityResolver {
  type: string;
  /** Finds the entity if it is visible to the viewer; resolvers scope their own queries. */
  resolve(id: string, viewer: EntityViewer): Promise<EntityRecord | undefined>;
}

/** How many ids' types are remembered (one Map entry each; the oldest goes first). */
const rememberedTypes = 10_000;

export interface EntityRegistryOptions {
  /**
   * How long a found entity is served from memory (per id and viewer); 0, the default, caches nothing. Every write
   * request of this process empties the cache (forgetCached), so only another process's change can be seen late,
   * by at most this long. Misses are never cached: a new entity is found at once.
   */
  cacheTtlMs?: number;
  now?: () => number;
}

export function createEntityRegistry(options: EntityRegistryOptions = {}) {
  const cacheTtlMs = options.cacheTtlMs ?? 0;
  const now = options.now ?? Date.now;
  const resolvers: EntityResolver[] = [];
  const cached = new Map<string, { record: EntityRecord; expires: number }>();
  // Bumped by every forget: a lookup that started before a write must not store what it read into the new cache.
  let generation = 0;
  const cacheKey = (id: string, viewer: EntityViewer) =>
    viewer.kind === 'organization' ? `${id} o ${viewer.organizationId}` : `${id} p ${viewer.partnerId}`;
  const store = (key: string, record: EntityRecord, startedIn: number) => {
    if (cacheTtlMs <= 0 || startedIn !== generation) return;
    if (cached.size >= rememberedTypes && !cached.has(key)) cached.delete(cached.keys().next().value!);
    cached.set(key, { record, expires: now() + cacheTtlMs });
  };
  // id → the resolver that found it last. An id never changes type, so the next lookup of a known id asks that
  // resolver first instead of trying the types in registration order, one query each (a bulk sync execution was the
  // fifth). Only the type is remembered: the resolver still checks existence and the viewer's tenancy every time.
  const knownTypes = new Map<string, EntityResolver>();
  const remember = (id: string, resolver: EntityResolver) => {
    if (knownTypes.size >= rememberedTypes && !knownTypes.has(id)) knownTypes.delete(knownTypes.keys().next().value!);
    knownTypes.set(id, resolver);
  };
  return {
    register(resolver: EntityResolver): void {
      if (resolvers.some((existing) => existing.type === resolver.type))
        throw new Error(`entity type ${resolver.type} is registered twice`);
      resolvers.push(resolver);
    },
    types(): string[] {
      return resolvers.map((resolver) => resolver.type);
    },
    /** Empties the cache of found entities (after this process changed data). */
    forgetCached(): void {
      generation += 1;
      cached.clear();
    },
    /** Ids are UUIDs, unique across kinds, so the first resolver that knows the id answers. */
    async lookup(id: string, viewer: EntityViewer): Promise<EntityRecord | undefined> {
      const key = cacheTtlMs > 0 ? cacheKey(id, viewer) : '';
      if (cacheTtlMs > 0) {
        const hit = cached.get(key);
        if (hit && hit.expires > now()) return hit.record;
      }
      const startedIn = generation;
      const known = knownTypes.get(id);
      for (const resolver of known ? [known, ...resolvers.filter((other) => other !== known)] : resolvers) {
        const found = await resolver.resolve(id, viewer);
        if (!found) continue;
        remember(id, resolver);
        store(key, found, startedIn);
        return found;
      }
      return undefined;
    },
  };
}

export type EntityRegistry = ReturnType<typeof createEntityRegistry>;
