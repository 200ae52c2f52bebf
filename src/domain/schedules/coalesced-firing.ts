// Two or more schedules of one bulk sync due at the same time start one execution, never several: the strongest
// resync mode of the due schedules wins (rebuild > resync > refetch > normal) and their schema selections are merged.
import type { FiringScope } from './firing-schedules.ts';
import type { ScheduleResyncMode } from './schedule-vocabulary.ts';

const RESYNC_STRENGTH: Record<ScheduleResyncMode, number> = { normal: 0, refetch: 1, resync: 2, rebuild: 3 };

export function strongestResyncMode(modes: Array<ScheduleResyncMode | undefined>): ScheduleResyncMode {
  return modes.reduce<ScheduleResyncMode>(
    (strongest, mode) => (mode !== undefined && RESYNC_STRENGTH[mode] > RESYNC_STRENGTH[strongest] ? mode : strongest),
    'normal',
  );
}

/** A schema of the sync as far as selections go: whether it can be fetched incrementally (has a tracking field). */
export interface SelectableSchema {
  id: string;
  incremental: boolean;
}

/** Whether the scope selects every schema, so no schema list is needed to run it. */
function coversEverySchema(scope: FiringScope | undefined): boolean {
  return (
    !scope || ((scope.selective_mode === undefined || scope.selective_mode === 'none') && scope.schemas === undefined)
  );
}

export function needsSchemaKinds(scopes: Array<FiringScope | undefined>): boolean {
  return (
    !scopes.some(coversEverySchema) &&
    scopes.some((scope) => scope?.selective_mode !== undefined && scope.selective_mode !== 'none')
  );
}

/**
 * The schemas the merged run covers: 'all' when one due schedule covers every schema, else the union of what each
 * selects (its selective mode and its `schemas`, both when both are set), in the sync's schema order. `schemas` is
 * the sync's enabled schemas; it is read only when a selective mode needs it (see needsSchemaKinds).
 */
export function mergedSelection(
  scopes: Array<FiringScope | undefined>,
  schemas: readonly SelectableSchema[],
): 'all' | string[] {
  if (scopes.some(coversEverySchema)) return 'all';
  const selected = new Set<string>();
  for (const scope of scopes as FiringScope[]) {
    const mode = scope.selective_mode ?? 'none';
    if (mode === 'none') {
      for (const id of scope.schemas ?? []) selected.add(id);
      continue;
    }
    const listed = scope.schemas ? new Set(scope.schemas) : undefined;
    for (const schema of schemas) {
      if (listed && !listed.has(schema.id)) continue;
      if (schema.incremental === (mode === 'incrementalFields')) selected.add(schema.id);
    }
  }
  const order = new Map(schemas.map((schema, index) => [schema.id, index]));
  return [...selected].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || a.localeCompare(b));
}
