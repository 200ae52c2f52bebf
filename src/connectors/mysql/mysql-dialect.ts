import type { SqlDialect } from '../sql/sql-dialect.ts';
import { backtick, quoteDotted } from '../sql/sql-dialect.ts';

export const mysqlDialect: SqlDialect = {
  quoteIdentifier: backtick,
  quoteTable: (schemaId) => quoteDotted(schemaId, backtick),
  placeholder: () => '?',
  // MySQL upserts on whichever unique key conflicts; `key` only decides which columns are not updated.
  upsertClause(key, columns) {
    const updates = columns.filter((column) => !key.includes(column));
    const assigned = updates.length > 0 ? updates : key.slice(0, 1);
    return `ON DUPLICATE KEY UPDATE ${assigned.map((column) => `${backtick(column)} = VALUES(${backtick(column)})`).join(', ')}`;
  },
  maxParameters: 65_535,
  castParameter: (marker) => marker,
  // A UNION ALL of SELECTs: MySQL 8 spells a row constructor VALUES ROW(…), MariaDB VALUES (…); this reads in both.
  valuesTable: (alias, columns, tuples) =>
    `(${tuples.map((tuple, row) => `SELECT ${row === 0 ? tuple.map((marker, index) => `${marker} AS ${backtick(columns[index])}`).join(', ') : tuple.join(', ')}`).join(' UNION ALL ')}) AS ${backtick(alias)}`,
  updateFrom: (table, target, source, on, sets) =>
    `UPDATE ${table} AS ${backtick(target)} JOIN ${source} ON ${on} SET ${sets.map(([column, expression]) => `${backtick(target)}.${backtick(column)} = ${expression}`).join(', ')}`,
  // MariaDB's DELETE … RETURNING is single-table only, and UPDATE has none.
  returnsFromJoins: false,
  upsertsOnConflict: false,
};
