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

export function createEntityRegistry() {
  const resolvers: EntityResolver[] = [];
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
      for (const resolver of resolvers) {
        const found = await resolver.resolve(id, viewer);
        if (found) return found;
      }
      return undefined;
    },
  };
}

export type EntityRegistry = ReturnType<typeof createEntityRegistry>;
