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
};
