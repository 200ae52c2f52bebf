// Parallel ranges for one big table: the order field's values are cut into ranges, and each range is copied in its
// own chunks on its own pair of connections, so several COPY pipes run at once (as pgcopydb's
// --split-tables-larger-than and PeerDB's partitions do). Each range remembers the last value it committed, so a
// resumed attempt copies only what the unfinished ranges still lack. The state travels as the copy's cursor, which
// the engine checkpoints after every committed chunk without looking inside it.
import type { RunContext } from '../../domain/run-context.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { splitSchemaId } from './postgres-introspector.ts';

/** One range: values past `lower` (exclusive; null: from the smallest) up to `upper` (inclusive; null: no end). */
export interface CopyRange {
  lower: unknown;
  upper: unknown;
  /** The last order-field value committed in this range; null before its first chunk. */
  after: unknown;
  done: boolean;
}

/** The cursor a ranged copy reports: every range's progress. */
export interface RangesCursor {
  kind: 'copy_ranges';
  ranges: CopyRange[];
}

export function isRangesCursor(value: unknown): value is RangesCursor {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'copy_ranges' &&
    Array.isArray((value as { ranges?: unknown }).ranges)
  );
}

const integerTypes = new Set(['smallint', 'integer', 'bigint']);

/**
 * The ranges for a copy of `table` by `column` from its start, or undefined when the table is not worth splitting
 * (at most `splitAboveRows` rows) or its values cannot be cut cheaply. Integer columns are cut evenly between their
 * minimum and maximum (both read from the index); other types at the planner's histogram bounds, when the table has
 * been analyzed.
 */
export async function planCopyRanges(
  context: RunContext,
  source: PostgresClient,
  table: { schemaId: string; column: string; columnType: string | undefined },
  parallelism: number,
  splitAboveRows: number,
): Promise<CopyRange[] | undefined> {
  if (parallelism < 2) return undefined;
  const quotedTable = postgresDialect.quoteTable(table.schemaId);
  const column = postgresDialect.quoteIdentifier(table.column);
  // Counting stops at the threshold, so a huge table costs no more than a table just over it.
  const { rows: counted } = await source.query<{ count: number }>(
    context,
    `select count(*)::int as count from (select 1 from ${quotedTable} limit ${Math.floor(splitAboveRows) + 1}) as probe`,
  );
  if ((counted[0]?.count ?? 0) <= splitAboveRows) return undefined;
  const cuts =
    table.columnType && integerTypes.has(table.columnType)
      ? await integerCuts(context, source, quotedTable, column, parallelism)
      : await histogramCuts(context, source, table, parallelism);
  if (!cuts || cuts.length === 0) return undefined;
  const bounds: unknown[] = [null, ...cuts, null];
  return bounds.slice(0, -1).map((lower, index) => ({ lower, upper: bounds[index + 1], after: null, done: false }));
}

async function integerCuts(
  context: RunContext,
  source: PostgresClient,
  quotedTable: string,
  column: string,
  parallelism: number,
): Promise<string[] | undefined> {
  const { rows } = await source.query<{ low: string | null; high: string | null }>(
    context,
    `select min(${column})::text as low, max(${column})::text as high from ${quotedTable}`,
  );
  if (!rows[0]?.low || !rows[0]?.high) return undefined;
  const low = BigInt(rows[0].low);
  const span = BigInt(rows[0].high) - low;
  if (span < BigInt(parallelism)) return undefined;
  const cuts: string[] = [];
  for (let index = 1; index < parallelism; index += 1)
    cuts.push((low + (span * BigInt(index)) / BigInt(parallelism)).toString());
  return cuts;
}

async function histogramCuts(
  context: RunContext,
  source: PostgresClient,
  table: { schemaId: string; column: string },
  parallelism: number,
): Promise<string[] | undefined> {
  const [schema, name] = splitSchemaId(table.schemaId);
  const { rows } = await source.query<{ bounds: string[] | null }>(
    context,
    'select histogram_bounds::text::text[] as bounds from pg_stats where schemaname = $1 and tablename = $2 and attname = $3',
    [schema, name, table.column],
  );
  const bounds = rows[0]?.bounds;
  if (!bounds || bounds.length < parallelism + 1) return undefined;
  const cuts: string[] = [];
  for (let index = 1; index < parallelism; index += 1)
    cuts.push(bounds[Math.floor((bounds.length * index) / parallelism)]!);
  return [...new Set(cuts)];
}
