// Entity lookup: resolve any id without knowing its kind. Each resource registers a resolver as it lands
// (organization and user now; connection, model, sync, sync_execution, bulk_sync and bulk_sync_execution later).

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

export function createEntityRegistry() {
  const resolvers: EntityResolver[] = [];
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
      if (resolvers.some((existing) => existing.type === resolver.type)) throw new Error(`entity type ${resolver.type} is registered twice`);
      resolvers.push(resolver);
    },
    types(): string[] {
      return resolvers.map((resolver) => resolver.type);
    },
    /** Ids are UUIDs, unique across kinds, so the first resolver that knows the id answers. */
    async lookup(id: string, viewer: EntityViewer): Promise<EntityRecord | undefined> {
      const known = knownTypes.get(id);
      if (known) {
        const found = await known.resolve(id, viewer);
        if (found) return found;
      }
      for (const resolver of resolvers) {
        if (resolver === known) continue;
        const found = await resolver.resolve(id, viewer);
        if (found) {
          remember(id, resolver);
          return found;
        }
      }
      return undefined;
    },
  };
}

export type EntityRegistry = ReturnType<typeof createEntityRegistry>;
