// Where a MySQL/MariaDB table is cut into parallel ranges of its order field (src/connectors/copy-ranges.ts copies
// them, each range on its own connection). An integer field is cut evenly between its minimum and maximum, both
// read from the index at the cost of two look-ups. Another type has no cheap statistics to cut at (no histograms
// unless someone built them, no TABLESAMPLE), so the cuts are found by walking the index once: each cut is the value
// `step` rows past the previous one (`… where o > cut order by o limit 1 offset step - 1`), `step` being the table's
// estimated rows over the ranges. That is one pass over the field's index on the server, with no sort and no
// temporary table, and the ranges hold about equal rows whatever the values' spread; an estimate that is off only
// makes the last range larger or smaller.
import type { RunContext } from '../../domain/run-context.ts';
import { type CopyRange, rangesBetween } from '../copy-ranges.ts';
import type { MysqlClient } from './mysql-client.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { splitMysqlSchemaId } from './mysql-introspector.ts';
import { decodeMysqlValue, encodeMysqlValue, type MysqlValueKind } from './mysql-types.ts';

/**
 * Kinds whose values can bound a range: they sort in the server as their JSON form round-trips into a parameter.
 * Binary values (Buffers) do not survive a checkpoint as JSON, and floats, booleans and JSON make poor keys.
 */
const cuttableKinds: ReadonlySet<MysqlValueKind> = new Set([
  'integer',
  'bigint',
  'decimal',
  'text',
  'date',
  'timestamp',
  'timestamptz',
]);

/**
 * The ranges for a copy of `table` by `column` from its start, or undefined when it is not worth splitting (at
 * most `splitAboveRows` rows, fewer than two ranges allowed) or the column cannot bound ranges.
 */
export async function planMysqlCopyRanges(
  context: RunContext,
  client: MysqlClient,
  table: { schemaId: string; column: string; kind: MysqlValueKind | undefined },
  parallelism: number,
  splitAboveRows: number,
): Promise<CopyRange[] | undefined> {
  if (parallelism < 2 || !table.kind || !cuttableKinds.has(table.kind)) return undefined;
  const quotedTable = mysqlDialect.quoteTable(table.schemaId);
  const column = mysqlDialect.quoteIdentifier(table.column);
  // Counting stops at the threshold, so a huge table costs no more than a table just over it.
  const limit = Math.floor(splitAboveRows) + 1;
  const [counted] = await client.query<{ count: number }[]>(
    context,
    `select count(*) as count from (select 1 from ${quotedTable} limit ${limit}) as probe`,
  );
  if (Number(counted?.count ?? 0) <= splitAboveRows) return undefined;
  const cuts =
    table.kind === 'integer' || table.kind === 'bigint'
      ? await integerCuts(context, client, quotedTable, column, table.kind, parallelism)
      : await walkedCuts(context, client, table, quotedTable, column, Math.max(limit, 2), parallelism);
  return cuts && cuts.length > 0 ? rangesBetween(cuts) : undefined;
}

async function integerCuts(
  context: RunContext,
  client: MysqlClient,
  quotedTable: string,
  column: string,
  kind: MysqlValueKind,
  parallelism: number,
): Promise<unknown[] | undefined> {
  const [bounds] = await client.query<{ low: string | null; high: string | null }[]>(
    context,
    `select cast(min(${column}) as char) as low, cast(max(${column}) as char) as high from ${quotedTable}`,
  );
  if (!bounds?.low || !bounds.high) return undefined;
  const low = BigInt(bounds.low);
  const span = BigInt(bounds.high) - low;
  if (span < BigInt(parallelism)) return undefined;
  const cuts: unknown[] = [];
  for (let index = 1; index < parallelism; index += 1) {
    const cut = (low + (span * BigInt(index)) / BigInt(parallelism)).toString();
    // As a chunk's cursor holds it: a number for int columns, exact text for bigint.
    cuts.push(kind === 'integer' ? Number(cut) : cut);
  }
  return cuts;
}

async function walkedCuts(
  context: RunContext,
  client: MysqlClient,
  table: { schemaId: string; kind: MysqlValueKind | undefined },
  quotedTable: string,
  column: string,
  atLeastRows: number,
  parallelism: number,
): Promise<unknown[] | undefined> {
  const kind = table.kind!;
  const [database, name] = splitMysqlSchemaId(table.schemaId, client.database);
  const [estimate] = await client.query<{ rows: number | string | null }[]>(
    context,
    'select TABLE_ROWS as `rows` from information_schema.TABLES where TABLE_SCHEMA = ? and TABLE_NAME = ?',
    [database, name],
  );
  const rows = Math.max(Number(estimate?.rows ?? 0), atLeastRows);
  const step = Math.max(1, Math.floor(rows / parallelism));
  const cuts: unknown[] = [];
  let previous: unknown = null;
  for (let index = 1; index < parallelism; index += 1) {
    const after = previous === null ? `${column} is not null` : `${column} > ?`;
    const [found] = await client.query<{ cut: unknown }[]>(
      context,
      `select ${column} as cut from ${quotedTable} where ${after} order by ${column} limit 1 offset ${step - 1}`,
      previous === null ? [] : [encodeMysqlValue(kind, previous)],
    );
    if (!found || found.cut === null) break;
    previous = decodeMysqlValue(kind, found.cut);
    cuts.push(previous);
  }
  return cuts;
}
