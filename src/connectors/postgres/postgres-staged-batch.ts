// The PostgreSQL model target's batch path: a planned batch travels as COPY … FROM STDIN (text format) into a
// temporary staging table, then one set-based statement moves it into the target. A parameterized VALUES list costs
// the server a parse of thousands of parameters and the client their serialization; COPY text is one stream.
//
// The staging table is made once per connection and target table, outside any transaction (so a rolled-back write
// does not take it along), ON COMMIT DELETE ROWS (so each commit empties it). Its columns are the target's, typed as
// the VALUES path casts them: the type without its modifier (`varchar` for `varchar(20)`), so a value too long, out
// of range or of the wrong type is refused where the target takes it, with the same error, and the shared writer
// falls back to its per-record path for that batch. No constraints and no defaults: the staging only carries values.
//
// Each staged row carries an ordinal that grows for the connection's life, so several batches in one transaction
// (rounds of repeated identities, field sets) never meet: a statement reads only the ordinals from its batch's first
// on, and returns them less that first one as positions in the batch. The batches of one request are written one
// after another on one connection.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TargetWriteRequest } from '../connector.ts';
import type { Row } from '../records.ts';
import type { BatchOutcome } from '../sql/sql-batch-writer.ts';
import { copyTextChunks, copyTextField } from './postgres-copy-text.ts';
import { postgresDialect } from './postgres-dialect.ts';

const quote = postgresDialect.quoteIdentifier;
const ordinalColumn = '__ferry_ordinal';
const batchAlias = 'ferry_batch';
const targetAlias = 'ferry_target';

/** The target table as the staged path needs it (a run's catalog read, kept for the run). */
export interface StagedTable {
  objectId: string;
  /** Every column with its type for the staging table: schema-qualified, without modifier. */
  columns: { name: string; type: string }[];
  /** Whether the table has a unique key on exactly the identity, so an upsert is one INSERT … ON CONFLICT. */
  upsertsOnIdentity(identity: string[]): boolean;
  encode(column: string, value: unknown): unknown;
}

interface Staging {
  name: string;
  /** The description it was made from: another one (the table changed) makes a new staging table. */
  table: StagedTable;
  nextOrdinal: number;
}

const stagings = new WeakMap<pg.ClientBase, Map<string, Staging>>();
let stagingNames = 0;

/** The connection's staging table for `table`, created (outside a transaction) when it has none for this description. */
export async function ensureStaging(connection: pg.ClientBase, table: StagedTable): Promise<Staging> {
  let byObject = stagings.get(connection);
  if (!byObject) {
    byObject = new Map();
    stagings.set(connection, byObject);
  }
  const known = byObject.get(table.objectId);
  if (known?.table === table) return known;
  if (known) {
    byObject.delete(table.objectId);
    await connection.query(`drop table if exists pg_temp.${quote(known.name)}`);
  }
  stagingNames += 1;
  const name = `ferry_model_staging_${stagingNames}`;
  const columns = [
    `${quote(ordinalColumn)} int8`,
    ...table.columns.map((column) => `${quote(column.name)} ${column.type}`),
  ];
  await connection.query(`create temporary table ${quote(name)} (${columns.join(', ')}) on commit delete rows`);
  const staging: Staging = { name, table, nextOrdinal: 0 };
  byObject.set(table.objectId, staging);
  return staging;
}

/** A staged row's COPY text line: its ordinal, then the columns. */
function stagedLine(table: StagedTable, columns: string[], record: Row, ordinal: number): string {
  let line = String(ordinal);
  for (const column of columns) line += `\t${copyTextField(table.encode(column, record[column] ?? null))}`;
  return line;
}

/** Writes one planned batch (distinct identities, one field set) inside the caller's transaction. */
export async function writeStagedBatch(
  connection: pg.ClientBase,
  staging: Staging,
  request: TargetWriteRequest,
  columns: string[],
  records: Row[],
): Promise<BatchOutcome> {
  const { table } = staging;
  const { identity, operation } = request;
  const first = staging.nextOrdinal;
  staging.nextOrdinal += records.length;
  const staged = quote(staging.name);
  const copied = operation === 'delete' ? identity : columns;
  await pipeline(
    Readable.from(copyTextChunks(records, (record, position) => stagedLine(table, copied, record, first + position))),
    connection.query(copyFrom(`copy ${staged} (${[ordinalColumn, ...copied].map(quote).join(', ')}) from stdin`)),
  );

  const target = postgresDialect.quoteTable(request.objectId);
  const ordinal = `${quote(batchAlias)}.${quote(ordinalColumn)}`;
  const fromBatch = `${staged} AS ${quote(batchAlias)} WHERE ${ordinal} >= $1`;
  const match = identity
    .map((column) => `${quote(targetAlias)}.${quote(column)} = ${quote(batchAlias)}.${quote(column)}`)
    .join(' AND ');
  const outcome: BatchOutcome = { inserted: 0, updated: 0, deleted: 0, missing: [] };
  const positions = async (text: string, values: unknown[]) => {
    const rows = (await connection.query<{ position: string | number }>(text, values)).rows;
    return new Set(rows.map((row) => Number(row.position)));
  };
  const unmatched = (matched: Set<number>) =>
    records.flatMap((_record, position) => (matched.has(position) ? [] : [position]));
  const list = columns.map(quote).join(', ');
  const selected = columns.map((column) => `${quote(batchAlias)}.${quote(column)}`).join(', ');
  // In record order, as the VALUES path inserts: defaults such as serial numbers follow it.
  const insertSelect = (extra: string) =>
    `INSERT INTO ${target} (${list}) SELECT ${selected} FROM ${fromBatch}${extra} ORDER BY ${ordinal}`;

  if (operation === 'delete') {
    const matched = await positions(
      `DELETE FROM ${target} AS ${quote(targetAlias)} USING ${fromBatch} AND ${match} RETURNING ${ordinal} - $1 AS position`,
      [first],
    );
    return { ...outcome, deleted: matched.size, missing: unmatched(matched) };
  }
  if (operation === 'insert') {
    await connection.query(insertSelect(''), [first]);
    return { ...outcome, inserted: records.length };
  }
  const assigned = columns.filter((column) => !identity.includes(column));
  if (operation === 'upsert' && table.upsertsOnIdentity(identity)) {
    // As the VALUES path: with no other column the key is set to itself, so an existing record counts as updated.
    const sets = (assigned.length > 0 ? assigned : identity.slice(0, 1))
      .map((column) => `${quote(column)} = excluded.${quote(column)}`)
      .join(', ');
    const [counted] = (
      await connection.query<{ inserted: string }>(
        `WITH ferry_written AS (${insertSelect('')} ON CONFLICT (${identity.map(quote).join(', ')}) DO UPDATE SET ${sets} RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted) AS inserted FROM ferry_written`,
        [first],
      )
    ).rows;
    const inserted = Number(counted?.inserted ?? 0);
    return { ...outcome, inserted, updated: records.length - inserted };
  }
  const sets =
    assigned.length > 0
      ? assigned.map((column) => `${quote(column)} = ${quote(batchAlias)}.${quote(column)}`)
      : [`${quote(identity[0]!)} = ${quote(targetAlias)}.${quote(identity[0]!)}`];
  const matched = await positions(
    `UPDATE ${target} AS ${quote(targetAlias)} SET ${sets.join(', ')} FROM ${fromBatch} AND ${match} RETURNING ${ordinal} - $1 AS position`,
    [first],
  );
  if (operation === 'update') return { ...outcome, updated: matched.size, missing: unmatched(matched) };
  const fresh = unmatched(matched);
  if (fresh.length > 0)
    await connection.query(insertSelect(` AND NOT (${ordinal} - $1 = ANY($2::int8[]))`), [first, [...matched]]);
  return { ...outcome, updated: matched.size, inserted: fresh.length };
}
