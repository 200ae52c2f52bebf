// The deepest nesting of arrays and objects a request body may have. Parsing itself copes with any depth, but
// the code that reads a body afterwards (version changes, validators, services, JSON.stringify) recurses, and a
// body a few thousand levels deep overflows the stack there. No request of the API needs more than a handful of
// levels; 64 leaves room for free-form configuration and proxied payloads.
export const maxBodyDepth = 64;

/**
 * True when `value` nests arrays and objects deeper than `limit` (a scalar is depth 0, `{}` and `[]` depth 1).
 * Walks with an explicit stack, never recursion, so it is safe on the very bodies it refuses.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const node = pending.pop();
    const depth = depths.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
