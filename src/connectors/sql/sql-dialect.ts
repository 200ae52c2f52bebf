// What differs between the SQL engines when Ferry builds statements. Statements are built from
// identifiers Ferry quotes itself and values passed as parameters, never spliced into the text.

export interface SqlDialect {
  quoteIdentifier(name: string): string;
  /** The qualified, quoted table name for a schema id (`public.users`, `test.users`, `users`). */
  quoteTable(schemaId: string): string;
  /** Parameter marker for the 1-based `index` (`$1` in PostgreSQL, `?` elsewhere). */
  placeholder(index: number): string;
  /** The clause after `INSERT … VALUES …` that turns it into an upsert on `key`. */
  upsertClause(key: string[], columns: string[]): string;
}

/** `a.b` → `["a", "b"]` quoted with `quote`; a dot inside a name is not supported (documented). */
export function quoteDotted(schemaId: string, quote: (name: string) => string): string {
  return schemaId.split('.').map(quote).join('.');
}

export function doubleQuote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function backtick(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}
