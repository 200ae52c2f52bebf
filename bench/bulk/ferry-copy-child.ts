// The process under test: one bulk-sync execution through the engine, exactly as the worker runs it, in its own
// process so its peak RSS is Ferry's alone. Reports over IPC. Any SQL connector or the files connector.
import { createFilesConnector } from '../../src/connectors/files/files-connector.ts';
import { createSqlConnectors } from '../../src/connectors/sql-connectors.ts';
import { runBulkSync } from '../../src/engine/bulk/bulk-sync-runner.ts';
import { createMemoryCheckpointStore } from '../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog } from '../../src/engine/memory-console-log.ts';
import { silentLogger } from '../../src/domain/run-context.ts';
import { ownPeakRss } from '../lib/peak-rss.ts';
import type { BenchConnection } from './ferry-end-to-end.ts';

export interface CopyChildRequest {
  source: BenchConnection;
  destination: BenchConnection;
  schemaId: string;
  outputName: string;
  /** Ranges copied at once (1: one stream); the table is split whatever its size. */
  ranges: number;
  /** More tables copied in the same execution, at the same time as the first (the plan's schema concurrency). */
  alongside?: { schemaId: string; outputName: string }[];
}

export interface CopyChildReport {
  seconds: number;
  rows: number;
  path: string | undefined;
  status: string;
  error: string | undefined;
  peakRss: number;
  /** User + system CPU seconds of this process during the copy. */
  cpuSeconds: number;
}

process.once('message', async (request: CopyChildRequest) => {
  const connectors = new Map(
    [...createSqlConnectors(), createFilesConnector()].map((connector) => [connector.type, connector]),
  );
  const open = (connection: BenchConnection) => connectors.get(connection.type)!.open(connection.configuration);
  const source = open(request.source);
  const destination = open(request.destination);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await runBulkSync(
    { signal: new AbortController().signal, log: silentLogger, heartbeat() {} },
    {
      syncId: 'bench',
      executionId: 'bench-1',
      executionTimestamp: new Date().toISOString(),
      source,
      destination,
      mode: 'replicate',
      normalizeNames: 'disabled',
      schemas: [{ schemaId: request.schemaId, outputName: request.outputName }, ...(request.alongside ?? [])],
      concurrency: 1 + (request.alongside?.length ?? 0),
      rangeParallelism: request.ranges,
      splitAboveRows: 0,
      ...(process.env.BENCH_BULK_CHUNK ? { copyChunkSize: Number(process.env.BENCH_BULK_CHUNK) } : {}),
      ...(process.env.BENCH_BULK_BATCH ? { batchSize: Number(process.env.BENCH_BULK_BATCH) } : {}),
    },
    { checkpoints: createMemoryCheckpointStore(), consoleLog: createMemoryConsoleLog() },
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all([source.close(), destination.close()]);
  const report: CopyChildReport = {
    seconds,
    rows: result.recordCount,
    path: result.schemas[0]?.path,
    status: result.status,
    error: result.error?.message,
    peakRss: ownPeakRss(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  process.send!(report, () => process.exit(0));
});
