// Statement builders shared by the SQL connectors. Each returns text plus the parameter order.
import type { Row } from '../records.ts';
import type { SqlDialect } from './sql-dialect.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** Multi-row INSERT (optionally an upsert on `upsertKey`) of `rows` over `columns`. */
export function buildInsert(
  dialect: SqlDialect,
  schemaId: string,
  columns: string[],
  rows: Row[],
  encode: (column: string, value: unknown) => unknown,
  upsertKey?: string[],
): Statement {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const markers = columns.map((column) => {
      values.push(encode(column, row[column] ?? null));
      return dialect.placeholder(values.length);
    });
    return `(${markers.join(', ')})`;
  });
  const names = columns.map((column) => dialect.quoteIdentifier(column)).join(', ');
  const upsert = upsertKey ? ` ${dialect.upsertClause(upsertKey, columns)}` : '';
  return {
    text: `INSERT INTO ${dialect.quoteTable(schemaId)} (${names}) VALUES ${tuples.join(', ')}${upsert}`,
    values,
  };
}

function whereKey(
  dialect: SqlDialect,
  key: string[],
  row: Row,
  values: unknown[],
  encode: (column: string, value: unknown) => unknown,
): string {
  return key
    .map((column) => {
      const value = row[column] ?? null;
      if (value === null) return `${dialect.quoteIdentifier(column)} IS NULL`;
      values.push(encode(column, value));
      return `${dialect.quoteIdentifier(column)} = ${dialect.placeholder(values.length)}`;
    })
    .join(' AND ');
}

/** UPDATE of the record's non-key fields; with none, `SET key = key` so the match is still counted. */
export function buildUpdate(
  dialect: SqlDialect,
  schemaId: string,
  key: string[],
  row: Row,
  encode: (column: string, value: unknown) => unknown,
): Statement {
  const values: unknown[] = [];
  const assigned = Object.keys(row).filter((column) => !key.includes(column));
  const sets = assigned.map((column) => {
    values.push(encode(column, row[column] ?? null));
    return `${dialect.quoteIdentifier(column)} = ${dialect.placeholder(values.length)}`;
  });
  if (sets.length === 0) sets.push(`${dialect.quoteIdentifier(key[0])} = ${dialect.quoteIdentifier(key[0])}`);
  const where = whereKey(dialect, key, row, values, encode);
  return { text: `UPDATE ${dialect.quoteTable(schemaId)} SET ${sets.join(', ')} WHERE ${where}`, values };
}

export function buildDelete(
  dialect: SqlDialect,
  schemaId: string,
  key: string[],
  row: Row,
  encode: (column: string, value: unknown) => unknown,
): Statement {
  const values: unknown[] = [];
  const where = whereKey(dialect, key, row, values, encode);
  return { text: `DELETE FROM ${dialect.quoteTable(schemaId)} WHERE ${where}`, values };
}

/** Splits rows so one statement stays under the engine's parameter cap (65535 in PostgreSQL and MySQL). */
export function chunkRows(rows: Row[], columnCount: number, maxParameters = 60_000): Row[][] {
  const size = Math.max(1, Math.floor(maxParameters / Math.max(1, columnCount)));
  const chunks: Row[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}

/** The union of the records' keys, in first-seen order. */
export function columnsOf(rows: Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** Strips what cannot sit inside a subquery: trailing semicolons and whitespace. */
export function asSubquery(query: string): string {
  return query.trim().replace(/;+\s*$/, '');
}
