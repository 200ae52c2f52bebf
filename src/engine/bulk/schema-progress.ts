// Progress of one schema: heartbeats on every committed batch, and a console line at most every
// `intervalMs` (default 10 s) so a 10-minute copy writes about 60 lines, not one per batch.
import type { ConsoleLog } from '../console-log.ts';
import type { RunContext } from '../../domain/run-context.ts';

export interface SchemaProgress {
  readonly rows: number;
  /** Records a committed batch; writes a console line when the interval has passed. */
  committed(rows: number): Promise<void>;
  rowsPerSecond(): number;
}

export function createSchemaProgress(options: {
  context: RunContext;
  consoleLog: ConsoleLog;
  executionId: string;
  schemaId: string;
  rowsBefore: number;
  now: () => number;
  intervalMs?: number;
}): SchemaProgress {
  const started = options.now();
  const interval = options.intervalMs ?? 10_000;
  let rows = options.rowsBefore;
  let copiedThisAttempt = 0;
  let lastLine = started;
  const rate = () => {
    const seconds = (options.now() - started) / 1000;
    return seconds > 0 ? Math.round(copiedThisAttempt / seconds) : 0;
  };
  return {
    get rows() {
      return rows;
    },
    rowsPerSecond: rate,
    async committed(count) {
      rows += count;
      copiedThisAttempt += count;
      options.context.heartbeat({ schemaId: options.schemaId, rows });
      if (options.now() - lastLine < interval) return;
      lastLine = options.now();
      const rowsPerSecond = rate();
      await options.consoleLog.append({
        executionId: options.executionId,
        schemaId: options.schemaId,
        level: 'INFO',
        message: `Copied ${rows.toLocaleString('en-US')} rows (${rowsPerSecond.toLocaleString('en-US')} rows/s)`,
        payload: { rows, rows_per_second: rowsPerSecond },
      });
    },
  };
}
