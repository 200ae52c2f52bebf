// What the copy benchmarks (bench/bulk*, one table copied by several tools) share: a measured copy, the table that
// compares each with the same run's baseline, and a one-statement PostgreSQL query for their set-up and checks.
import pg from 'pg';
import type { ScratchDatabase } from '../../test/kit/services.ts';
import { formatRatio, ratio } from './ratio.ts';
import { formatCount, printTable } from './result-table.ts';

export interface MeasuredCopy {
  name: string;
  seconds: number;
  rows: number;
  peakRss: number | undefined;
  /** How the rows travelled (a path, `baseline`, `peer`); shown when any copy of the table has one. */
  detail?: string;
}

export const rowsPerSecond = (measured: MeasuredCopy) => measured.rows / measured.seconds;

/** One statement on its own connection (several statements separated by semicolons are one simple query). */
export async function postgresQuery(database: ScratchDatabase, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** The copies as a Markdown table with seconds, rows/s, peak RSS and the ratio to `base`; `heapBytes` adds MB/s. */
export function printCopies(
  title: string,
  base: MeasuredCopy,
  copies: MeasuredCopy[],
  options: { heapBytes?: number } = {},
): void {
  const { heapBytes } = options;
  printTable(
    title,
    [
      { header: 'copy', cell: (row: MeasuredCopy) => row.name },
      ...(copies.some((copy) => copy.detail)
        ? [{ header: 'path', cell: (row: MeasuredCopy) => row.detail ?? '' }]
        : []),
      { header: 'seconds', cell: (row: MeasuredCopy) => row.seconds.toFixed(2), align: 'right' as const },
      { header: 'rows/s', cell: (row: MeasuredCopy) => formatCount(rowsPerSecond(row)), align: 'right' as const },
      ...(heapBytes === undefined
        ? []
        : [
            {
              header: 'MB/s (heap)',
              cell: (row: MeasuredCopy) => (heapBytes / 1e6 / row.seconds).toFixed(1),
              align: 'right' as const,
            },
          ]),
      {
        header: 'peak RSS MB',
        cell: (row: MeasuredCopy) => (row.peakRss === undefined ? 'n/a' : (row.peakRss / 1e6).toFixed(0)),
        align: 'right' as const,
      },
      {
        header: 'ratio',
        cell: (row: MeasuredCopy) => formatRatio(ratio(rowsPerSecond(row), rowsPerSecond(base))),
        align: 'right' as const,
      },
    ],
    copies,
  );
}
