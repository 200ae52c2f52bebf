// The result table of bench/api.
import type { LoadResult } from '../lib/http-load.ts';
import { formatRatio } from '../lib/ratio.ts';
import { formatBytes, formatCount, formatMs, printTable, type Column } from '../lib/result-table.ts';

export interface ScenarioResult {
  scenario: string;
  endpoint:
    | 'me'
    | 'entity'
    | 'connections30'
    | 'connections1000'
    | 'bulkSync'
    | 'bulkSyncs'
    | 'modelSync'
    | 'modelSyncs'
    | 'connection'
    | 'connections';
  /** The X-Polytomic-Version sent (the resource reads); none: the server's default, 2025-09-18. */
  version?: string;
  /** diagnostic: a Ferry variant that shows where time goes; it has no goal. */
  kind: 'ferry' | 'bare' | 'diagnostic';
  load: LoadResult;
  /** Server child's CPU time (user + system) during the measured run ÷ requests answered. */
  serverCpuMsPerRequest: number | undefined;
  /** Server child's peak RSS in bytes. */
  peakRss: number | undefined;
  /** requests/s against the bare route for the same endpoint; set once every scenario has run. */
  ratio?: number;
  /** Bare CPU per request ÷ this CPU per request: the throughput ratio a CPU-bound server on an idle core would reach. */
  cpuRatio?: number;
}

const columns: Column<ScenarioResult>[] = [
  { header: 'scenario', cell: (row) => row.scenario },
  { header: 'requests/s', cell: (row) => formatCount(row.load.requestsPerSecond), align: 'right' },
  { header: 'p50', cell: (row) => formatMs(row.load.p50Ms), align: 'right' },
  { header: 'p99', cell: (row) => formatMs(row.load.p99Ms), align: 'right' },
  { header: 'ratio to bare', cell: (row) => formatRatio(row.ratio ?? Number.NaN), align: 'right' },
  {
    header: 'server CPU/req',
    cell: (row) =>
      row.serverCpuMsPerRequest === undefined ? 'n/a' : `${(row.serverCpuMsPerRequest * 1000).toFixed(0)} µs`,
    align: 'right',
  },
  { header: 'ratio by CPU', cell: (row) => formatRatio(row.cpuRatio ?? Number.NaN), align: 'right' },
  { header: 'peak RSS', cell: (row) => formatBytes(row.peakRss), align: 'right' },
  { header: 'problems', cell: (row) => row.load.problems.join('; ') || 'none' },
];

export function printApiResults(results: readonly ScenarioResult[]): void {
  printTable('bench/api results', columns, results);
}
