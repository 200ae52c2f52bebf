import type { SqlDialect } from '../sql/sql-dialect.ts';
import { doubleQuote } from '../sql/sql-dialect.ts';

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
};
