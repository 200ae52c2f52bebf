// Copying a key onto an object the way a spread or rest pattern would, for mappers that build their result by
// assignment (cheaper than spreads in the middle of a literal, on paths that map every item of a list).

/** Defines `key` on `target` as a spread would: an assignment to `__proto__` would set the prototype instead. */
export function copyOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
