import type { SqlDialect } from '../sql/sql-dialect.ts';
import { doubleQuote, updateSetFrom } from '../sql/sql-dialect.ts';

export const sqliteDialect: SqlDialect = {
  quoteIdentifier: doubleQuote,
  // SQLite schema ids are bare table names (attached databases are not exposed).
  quoteTable: (schemaId) => doubleQuote(schemaId),
  placeholder: () => '?',
  upsertClause(key, columns) {
    const updates = columns.filter((column) => !key.includes(column));
    const target = key.map(doubleQuote).join(', ');
    if (updates.length === 0) return `ON CONFLICT (${target}) DO NOTHING`;
    return `ON CONFLICT (${target}) DO UPDATE SET ${updates.map((column) => `${doubleQuote(column)} = excluded.${doubleQuote(column)}`).join(', ')}`;
  },
  // SQLITE_MAX_VARIABLE_NUMBER's default since 3.32 (better-sqlite3 bundles 3.51 with the default).
  maxParameters: 32_766,
  castParameter: (marker) => marker,
  // A bare VALUES names its columns column1, column2, …; the SELECT renames them.
  valuesTable: (alias, columns, tuples) =>
    `(SELECT ${columns.map((column, index) => `column${index + 1} AS ${doubleQuote(column)}`).join(', ')} FROM (VALUES ${tuples.map((tuple) => `(${tuple.join(', ')})`).join(', ')})) AS ${doubleQuote(alias)}`,
  updateFrom: updateSetFrom(doubleQuote),
  // RETURNING in SQLite may not name the FROM tables of an UPDATE (sqlite.org/lang_returning.html).
  returnsFromJoins: false,
  upsertsOnConflict: false,
};
