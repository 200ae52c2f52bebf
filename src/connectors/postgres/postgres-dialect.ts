import type { SqlDialect } from '../sql/sql-dialect.ts';
import { doubleQuote, updateSetFrom } from '../sql/sql-dialect.ts';
import { splitSchemaId } from './postgres-introspector.ts';

export const postgresDialect: SqlDialect = {
  quoteIdentifier: doubleQuote,
  quoteTable: (schemaId) => splitSchemaId(schemaId).map(doubleQuote).join('.'),
  placeholder: (index) => `$${index}`,
  upsertClause(key, columns) {
    const updates = columns.filter((column) => !key.includes(column));
    const target = key.map(doubleQuote).join(', ');
    if (updates.length === 0) return `ON CONFLICT (${target}) DO NOTHING`;
    return `ON CONFLICT (${target}) DO UPDATE SET ${updates.map((column) => `${doubleQuote(column)} = excluded.${doubleQuote(column)}`).join(', ')}`;
  },
  maxParameters: 65_535,
  castParameter: (marker, type) => (type ? `${marker}::${type}` : marker),
  valuesTable: (alias, columns, tuples) =>
    `(VALUES ${tuples.map((tuple) => `(${tuple.join(', ')})`).join(', ')}) AS ${doubleQuote(alias)}(${columns.map(doubleQuote).join(', ')})`,
  updateFrom: updateSetFrom(doubleQuote),
  returnsFromJoins: true,
  upsertsOnConflict: true,
};
