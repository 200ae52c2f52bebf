// The batch path of the SQL target writer: how a write request splits into batch statements, and
// what each operation sends for one batch.
//
// Per batch, by operation (round trips; PostgreSQL learns matches from RETURNING, the others ask first):
// - insert: one multi-row INSERT.
// - update: PostgreSQL UPDATE … FROM (VALUES …) RETURNING; MySQL and SQLite SELECT the matches, then
//   UPDATE … JOIN / FROM the batch. Records without a match are record_not_found.
// - upsert: PostgreSQL, when the identity is exactly a unique key of the table: one INSERT … ON CONFLICT.
//   Otherwise (identity fields need not be a unique key; MySQL's ON DUPLICATE KEY fires on any unique key,
//   not only the identity's) as update, then one multi-row INSERT of the records without a match.
// - delete: PostgreSQL DELETE … USING (VALUES …) RETURNING; the others SELECT the matches, then
//   DELETE … WHERE (identity) IN (…).
//
// Exactness against the per-record path (one record after another):
// - Records whose identity repeats within the request go to later rounds (the n-th occurrence to round
//   n), so each batch statement sees each identity once and the last record wins, as it would one by one.
//   Repeats are found by a loose key (text trimmed, lower-cased, without accents; numbers and numeric
//   text alike), because a database may call two different values equal (MySQL's _ci collations, 1 = '1').
//   Loose keys can only put more records in later rounds, never fewer; two values that are equal to the
//   database in a way the loose key does not know (another collation's rules) may still meet in one batch.
// - A record with a null identity value goes record by record (the per-record path matches it with IS NULL).
// - Update and upsert set only a record's own fields, so a batch holds records with the same field set.
import type { TargetWriteRequest } from '../connector.ts';
import type { Row } from '../records.ts';
import {
  buildBatchDelete,
  buildBatchDeleteReturning,
  buildBatchUpdate,
  buildBatchUpsertOnConflict,
  buildMatchedOrdinals,
  parametersPerRecord,
  type BatchEncoding,
} from './sql-batch-statements.ts';
import { buildInsert, type Statement } from './sql-statements.ts';

export type RecordOutcome = 'inserted' | 'updated' | 'deleted' | 'missing';

export interface BatchEntry {
  /** The record's index in the request. */
  index: number;
  record: Row;
}

export interface PlannedBatch {
  /** The columns every record of the batch carries; undefined: write these records one by one. */
  columns: string[] | undefined;
  entries: BatchEntry[];
}

export interface BatchSession extends BatchEncoding {
  /** Runs one statement inside the caller's transaction; resolves to the affected row count. */
  run(statement: Statement): Promise<number>;
  /** Runs one statement inside the caller's transaction; resolves to its rows (SELECT, RETURNING). */
  rows(statement: Statement): Promise<Row[]>;
}

/** Text with no character past ASCII: decomposing it changes nothing, and it holds no combining mark. */
const asciiOnly = /^[\x00-\x7f]*$/;

function looseValue(value: unknown): string {
  if (value === null || value === undefined) return '\u0000null';
  if (typeof value === 'number' || typeof value === 'bigint') return `n:${Number(value)}`;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed !== '' && Number.isFinite(Number(trimmed))) return `n:${Number(trimmed)}`;
    // Most identities are ASCII (emails, ids): NFD and the mark removal, the costly part per record, change nothing.
    if (asciiOnly.test(trimmed)) return `s:${trimmed.toLowerCase()}`;
    return `s:${trimmed.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()}`;
  }
  if (value instanceof Date) return `s:${value.toISOString().toLowerCase()}`;
  if (Buffer.isBuffer(value)) return `b:${value.toString('hex')}`;
  return `j:${JSON.stringify(value)}`;
}

function rounds(request: TargetWriteRequest): BatchEntry[][] {
  const entries = request.records.map((record, index) => ({ index, record }));
  if (request.operation === 'insert') return [entries];
  const seen = new Map<string, number>();
  const result: BatchEntry[][] = [];
  // Most identities are one column: its loose value is the key, with no array and join per record.
  const [only] = request.identity;
  const single = request.identity.length === 1;
  for (const entry of entries) {
    const key = single
      ? looseValue(entry.record[only!])
      : request.identity.map((column) => looseValue(entry.record[column])).join('\u0001');
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    result[round] ??= [];
    result[round].push(entry);
  }
  return result;
}

const sameOrder = (left: string[], right: string[]) =>
  left === right || (left.length === right.length && left.every((column, index) => column === right[index]));

/** Splits a request into batches: rounds of distinct identities, then field sets, then the parameter cap. */
export function planBatches(request: TargetWriteRequest, maxParameters: number): PlannedBatch[] {
  const batches: PlannedBatch[] = [];
  for (const round of rounds(request)) {
    const alone: BatchEntry[] = [];
    const groups = new Map<string, { columns: string[]; entries: BatchEntry[] }>();
    // The group of the record before, and its keys in their order: the records of a request mostly share one shape,
    // and a record with the very same keys in the same order goes to the same group without a signature made.
    let last: { keys: string[]; group: { columns: string[]; entries: BatchEntry[] } } | undefined;
    for (const entry of round) {
      if (
        request.operation !== 'insert' &&
        request.identity.some((column) => (entry.record[column] ?? null) === null)
      ) {
        alone.push(entry);
        continue;
      }
      const columns = request.operation === 'delete' ? request.identity : Object.keys(entry.record);
      if (last && sameOrder(last.keys, columns)) {
        last.group.entries.push(entry);
        continue;
      }
      const signature = JSON.stringify([...columns].sort());
      const group = groups.get(signature) ?? { columns, entries: [] };
      group.entries.push(entry);
      groups.set(signature, group);
      last = { keys: columns, group };
    }
    for (const { columns, entries } of groups.values()) {
      if (columns.length === 0) {
        batches.push({ columns: undefined, entries });
        continue;
      }
      const size = Math.max(1, Math.floor(maxParameters / parametersPerRecord(columns)));
      for (let start = 0; start < entries.length; start += size)
        batches.push({ columns, entries: entries.slice(start, start + size) });
    }
    if (alone.length > 0) batches.push({ columns: undefined, entries: alone });
  }
  return batches;
}

async function ordinals(session: BatchSession, statement: Statement): Promise<Set<number>> {
  const rows = await session.rows(statement);
  return new Set(rows.map((row) => Number(Object.values(row)[0])));
}

export interface BatchOutcome {
  inserted: number;
  updated: number;
  deleted: number;
  /** Positions in the batch of the records that matched nothing (update, delete). */
  missing: number[];
}

const sameSet = (left: string[], right: string[]) =>
  left.length === right.length && left.every((column) => right.includes(column));

/** Writes one planned batch. `uniqueKeys`: the table's unique keys, where the dialect upserts on conflict. */
export async function writeBatch(
  session: BatchSession,
  request: TargetWriteRequest,
  columns: string[],
  records: Row[],
  uniqueKeys: string[][] = [],
): Promise<BatchOutcome> {
  const { dialect, encode } = session;
  const { objectId, identity, operation } = request;
  const outcome: BatchOutcome = { inserted: 0, updated: 0, deleted: 0, missing: [] };
  const unmatched = (matched: Set<number>) =>
    records.flatMap((_record, ordinal) => (matched.has(ordinal) ? [] : [ordinal]));
  if (operation === 'insert') {
    await session.run(buildInsert(dialect, objectId, columns, records, encode));
    return { ...outcome, inserted: records.length };
  }
  if (operation === 'upsert' && dialect.upsertsOnConflict && uniqueKeys.some((key) => sameSet(key, identity))) {
    const [counted] = await session.rows(buildBatchUpsertOnConflict(session, objectId, identity, columns, records));
    const inserted = Number(counted?.inserted ?? 0);
    return { ...outcome, inserted, updated: records.length - inserted };
  }
  let matched: Set<number>;
  if (operation === 'delete') {
    if (dialect.returnsFromJoins)
      matched = await ordinals(session, buildBatchDeleteReturning(session, objectId, identity, records));
    else {
      matched = await ordinals(session, buildMatchedOrdinals(session, objectId, identity, records));
      const doomed = records.filter((_record, ordinal) => matched.has(ordinal));
      if (doomed.length > 0) await session.run(buildBatchDelete(session, objectId, identity, doomed));
    }
    return { ...outcome, deleted: matched.size, missing: unmatched(matched) };
  }
  if (dialect.returnsFromJoins)
    matched = await ordinals(session, buildBatchUpdate(session, objectId, identity, columns, records));
  else {
    matched = await ordinals(session, buildMatchedOrdinals(session, objectId, identity, records));
    const changed = records.filter((_record, ordinal) => matched.has(ordinal));
    if (changed.length > 0) await session.run(buildBatchUpdate(session, objectId, identity, columns, changed));
  }
  const fresh = records.filter((_record, ordinal) => !matched.has(ordinal));
  if (operation === 'update') return { ...outcome, updated: matched.size, missing: unmatched(matched) };
  if (fresh.length > 0) await session.run(buildInsert(dialect, objectId, columns, fresh, encode));
  return { ...outcome, updated: matched.size, inserted: fresh.length };
}
