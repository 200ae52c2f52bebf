// The names a bulk destination accepts for its tables and columns. A connector declares them (Connector.
// identifierRules), so that an output name is refused when a client sets it, not at the next run: a destination
// that cuts a long name (PostgreSQL at 63 bytes) or refuses it would otherwise fail the run, or leave a table
// behind under the cut name.
export interface IdentifierRules {
  /** Longest name in UTF-8 bytes, for destinations that count bytes (PostgreSQL). */
  maxBytes?: number;
  /** Longest name in characters (code points), for destinations that count characters (MySQL). */
  maxCharacters?: number;
  /** What a name must not match, each with the reason the client is told. */
  refused?: ReadonlyArray<{ pattern: RegExp; reason: string }>;
}

/** Ferry writes a table as `schema.table` and splits on the dot (quoteDotted), so a SQL table name has none. */
export const noDotRule = { pattern: /\./, reason: 'must not contain "." (it separates the schema from the table)' };

/** Why `name` cannot be a table or column name under `rules`, or undefined when it can. */
export function identifierProblem(name: string, rules: IdentifierRules): string | undefined {
  if (name === '') return 'must not be empty';
  if (name.includes('\0')) return 'must not contain the NUL character';
  if (rules.maxCharacters !== undefined) {
    let characters = 0;
    for (const _character of name) characters += 1;
    if (characters > rules.maxCharacters)
      return `must be at most ${rules.maxCharacters} characters for this destination (${characters} given)`;
  }
  if (rules.maxBytes !== undefined) {
    const bytes = Buffer.byteLength(name, 'utf8');
    if (bytes > rules.maxBytes) return `must be at most ${rules.maxBytes} bytes for this destination (${bytes} given)`;
  }
  for (const { pattern, reason } of rules.refused ?? []) if (pattern.test(name)) return reason;
  return undefined;
}
