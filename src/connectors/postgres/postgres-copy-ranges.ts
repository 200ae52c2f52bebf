// Where a PostgreSQL table is cut into parallel ranges (src/connectors/copy-ranges.ts copies them): an integer order
// field evenly between its minimum and maximum, another type at the planner's histogram bounds.
import type { RunContext } from '../../domain/run-context.ts';
import { type CopyRange, rangesBetween } from '../copy-ranges.ts';
import type { PostgresClient } from './postgres-client.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { splitSchemaId } from './postgres-introspector.ts';

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
  return rangesBetween(cuts);
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
