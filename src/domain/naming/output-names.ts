// How source names become destination names (BulkNormalizeNames). `enabled`: lower case, every run of characters
// other than a-z, 0-9 and _ becomes one _, no leading digit (prefixed with _), at most 63 characters (PostgreSQL's
// identifier limit). `disabled`: the source name as is. `legacy`: like enabled but keeps upper case, as older
// Polytomic releases did. For a schema id such as `public.users`, the name is its last segment.

export const NormalizeNames = { enabled: 'enabled', disabled: 'disabled', legacy: 'legacy' } as const;
export type NormalizeNames = (typeof NormalizeNames)[keyof typeof NormalizeNames];

export function normalizeName(name: string, rule: NormalizeNames): string {
  if (rule === 'disabled') return name;
  const cased = rule === 'enabled' ? name.toLowerCase() : name;
  let normalized = cased.replace(/[^A-Za-z0-9_]+/g, '_');
  if (/^[0-9]/.test(normalized)) normalized = `_${normalized}`;
  return normalized.slice(0, 63) || '_';
}

/** The destination table name of a schema: the user's choice, or the normalized last segment of its id. */
export function schemaOutputName(schemaId: string, userOutputName: string | undefined, rule: NormalizeNames): string {
  if (userOutputName) return userOutputName;
  const segments = schemaId.split('.');
  return normalizeName(segments[segments.length - 1] ?? schemaId, rule);
}
