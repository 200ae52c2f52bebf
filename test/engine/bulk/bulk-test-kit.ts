// Helpers for the bulk engine's tests: connections to scratch databases, plans with defaults, and
// reading a whole table back through a connector so source and destination compare row by row.
import assert from 'node:assert/strict';
import type { BulkSource, Connection, Row } from '../../../src/connectors/connector.ts';
import {
  createPostgresConnector,
  type PostgresConnection,
} from '../../../src/connectors/postgres/postgres-connector.ts';
import { createMysqlConnector } from '../../../src/connectors/mysql/mysql-connector.ts';
import type { BulkSyncPlan } from '../../../src/engine/bulk/bulk-sync-plan.ts';
import { runBulkSync, type BulkExecutionResult } from '../../../src/engine/bulk/bulk-sync-runner.ts';
import type { CheckpointStore } from '../../../src/engine/bulk/checkpoint-store.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog, type MemoryConsoleLog } from '../../../src/engine/memory-console-log.ts';
import type { RunContext } from '../../../src/domain/run-context.ts';
import { mysqlConfiguration } from '../../api/connection-data-kit.ts';
import { postgresConfiguration } from '../../connectors/postgres-configuration-fixture.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import type { ScratchDatabase } from '../../kit/services.ts';

export function openPostgres(database: ScratchDatabase): PostgresConnection {
  return createPostgresConnector().open(postgresConfiguration(database)) as PostgresConnection;
}

export function openMysql(database: ScratchDatabase): Connection {
  return createMysqlConnector().open(mysqlConfiguration(database));
}

let executions = 0;

/** A plan with fresh execution ids; `syncId` stays the same across calls that pass it. */
export function planOf(
  source: Connection,
  destination: Connection,
  overrides: Partial<BulkSyncPlan> & Pick<BulkSyncPlan, 'schemas'>,
): BulkSyncPlan {
  executions += 1;
  return {
    syncId: 'sync-1',
    executionId: `execution-${executions}`,
    executionTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, executions)).toISOString(),
    source,
    destination,
    mode: 'replicate',
    ...overrides,
  };
}

export interface RunHarness {
  checkpoints: CheckpointStore;
  consoleLog: MemoryConsoleLog;
  run(plan: BulkSyncPlan, context?: RunContext): Promise<BulkExecutionResult>;
}

export function createHarness(checkpoints: CheckpointStore = createMemoryCheckpointStore()): RunHarness {
  const consoleLog = createMemoryConsoleLog();
  return {
    checkpoints,
    consoleLog,
    run: (plan, context = createMockRunContext()) => runBulkSync(context, plan, { checkpoints, consoleLog }),
  };
}

/** Every row of a table through the connector's own read, sorted by `key` (value conventions on both sides). */
export async function readTable(
  source: Pick<BulkSource, 'read'> | undefined,
  schemaId: string,
  key: string,
): Promise<Row[]> {
  assert.ok(source, 'the connection has no bulk source');
  const rows: Row[] = [];
  for await (const batch of source.read(createMockRunContext(), { schemaId })) rows.push(...batch);
  const sortKey = (row: Row) => {
    const value = row[key];
    return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : (value as number);
  };
  return rows.sort((left, right) => (sortKey(left) < sortKey(right) ? -1 : sortKey(left) > sortKey(right) ? 1 : 0));
}

export function assertCompleted(result: BulkExecutionResult): void {
  assert.equal(
    result.status,
    'completed',
    result.error ? `${result.error.code}: ${result.error.message}` : JSON.stringify(result.schemas),
  );
}

/** Drops fields not in `keep` (e.g. the snapshot column), for comparisons. */
export function pick(rows: Row[], keep: string[]): Row[] {
  return rows.map((row) => Object.fromEntries(keep.map((field) => [field, row[field]])));
}
