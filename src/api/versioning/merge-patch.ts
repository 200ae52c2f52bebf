// PATCH as a JSON merge patch (RFC 7396), for the versions whose update verb is PATCH (a `merge-patch` version
// change). The request body, already brought up to the newest shape, is merged onto the resource as it stands (the
// route's currentBody, in the newest body shape), and the merged body then goes through the route's validation and
// handler as a full update would: so handlers and services never learn that a version sent a patch.
// - a field left out keeps its value; nested objects merge key by key (configuration {database: "x"} keeps the
//   other configuration keys);
// - `null` removes a field from the merged body, which then gets what an update without it gives (cleared, or its
//   default; a required field is a 400 naming it);
// - arrays, and anything else that is not an object, replace the current value whole; so do the objects the route
//   names in `patchReplacesWhole` (schedules).
import { apply } from 'json-merge-patch';

/** `patch` merged onto `current` as JSON carries it (undefined members dropped); neither is changed. */
export function mergePatch(
  current: Record<string, unknown>,
  patch: unknown,
  replacedWhole: readonly string[] = [],
): unknown {
  const target = JSON.parse(JSON.stringify(current)) as Record<string, unknown>;
  if (typeof patch === 'object' && patch !== null)
    for (const field of replacedWhole) if (field in patch) delete target[field];
  return apply(target, patch);
}
