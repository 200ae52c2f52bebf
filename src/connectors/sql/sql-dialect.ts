// What differs between the SQL engines when Ferry builds statements. Statements are built from
// identifiers Ferry quotes itself and values passed as parameters, never spliced into the text.

/** The query a table model reads: every row and column of `tableId`. */
export function selectWholeTable(dialect: SqlDialect, tableId: string): string {
  return `SELECT * FROM ${dialect.quoteTable(tableId)}`;
}

export interface SqlDialect {
  quoteIdentifier(name: string): string;
  /** The qualified, quoted table name for a schema id (`public.users`, `test.users`, `users`). */
  quoteTable(schemaId: string): string;
  /** Parameter marker for the 1-based `index` (`$1` in PostgreSQL, `?` elsewhere). */
  placeholder(index: number): string;
  /** The clause after `INSERT … VALUES …` that turns it into an upsert on `key`. */
  upsertClause(key: string[], columns: string[]): string;
  /** Most bind parameters one statement may carry: PostgreSQL and MySQL 65535, SQLite 32766 (since 3.32). */
  maxParameters: number;
  /**
   * `marker` typed as the column's `type` where the engine needs it: PostgreSQL types a parameter inside
   * `VALUES` as text unless cast (`$1::pg_catalog.int4`); elsewhere the marker as is.
   */
  castParameter(marker: string, type: string | undefined): string;
  /** `(…) AS alias` holding `tuples` (placeholders) under the column names `columns`. */
  valuesTable(alias: string, columns: string[], tuples: string[][]): string;
  /** `UPDATE table AS target … SET column = expression …` joined with `source` on `on`. */
  updateFrom(
    table: string,
    target: string,
    source: string,
    on: string,
    sets: [column: string, expression: string][],
  ): string;
  /**
   * True when UPDATE … FROM and DELETE … USING can return the source's columns (PostgreSQL), so a batch learns
   * which records matched from the write itself; otherwise the batch writer asks with a SELECT first.
   */
  returnsFromJoins: boolean;
  /**
   * True when `INSERT … ON CONFLICT (identity) DO UPDATE` fires only on that key (PostgreSQL), so an upsert
   * by an identity that is exactly a unique key is one statement. MySQL's ON DUPLICATE KEY fires on any
   * unique key, so it is not used there.
   */
  upsertsOnConflict: boolean;
}

/** `UPDATE … SET … FROM …` as PostgreSQL and SQLite (3.33+) write it: set columns unqualified. */
export function updateSetFrom(
  quote: (name: string) => string,
): (table: string, target: string, source: string, on: string, sets: [string, string][]) => string {
  return (table, target, source, on, sets) =>
    `UPDATE ${table} AS ${quote(target)} SET ${sets.map(([column, expression]) => `${quote(column)} = ${expression}`).join(', ')} FROM ${source} WHERE ${on}`;
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
