// Puts a finished model-sync execution into a running Ferry exactly as the worker leaves one: a model_syncs row, a
// model_sync_executions row whose record_logs holds the index, the gzip JSON Lines files in the execution's log
// directory (written by the engine's own writer), and console lines in execution_console_logs.
import { randomUUID } from 'node:crypto';
import { createGzipRecordLogWriter } from '../../src/engine/record-logs/gzip-record-log-writer.ts';
import type { ExecutionLogType } from '../../src/engine/record-logs/record-log.ts';
import { createKyselyConsoleLog } from '../../src/persistence/stores/kysely-console-log.ts';
import { modelSyncRecordLogDirectory } from '../../src/services/model-sync-record-log-location.ts';
import type { TestFerry } from '../kit/ferry-server.ts';

export type RecordLogEntries = Partial<Record<ExecutionLogType, unknown[]>>;

export async function insertModelSync(server: TestFerry, organizationId: string): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  const connectionId = randomUUID();
  await server.ferry.context.database.db
    .insertInto('model_syncs')
    .values({
      id,
      organization_id: organizationId,
      name: `Logs ${id.slice(0, 8)}`,
      mode: 'updateOrCreate',
      active: 1,
      model_id: randomUUID(),
      target_connection_id: connectionId,
      target_object: 'public.contacts',
      definition: JSON.stringify({ fields: [], target: { connection_id: connectionId, object: 'public.contacts' } }),
      schedule: JSON.stringify({ frequency: 'manual' }),
      created_at: now,
      created_by: null,
      updated_at: now,
      updated_by: null,
    })
    .execute();
  return id;
}

/** An execution of the sync; record logs are written (and indexed on the row) when `logs` is given. */
export async function insertModelSyncExecution(
  server: TestFerry,
  sync: { id: string; organizationId: string },
  options: { logs?: RecordLogEntries; maxRecordsPerFile?: number; status?: string } = {},
): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  const { db } = server.ferry.context.database;
  await db
    .insertInto('model_sync_executions')
    .values({
      id,
      sync_id: sync.id,
      organization_id: sync.organizationId,
      status: options.status ?? 'completed',
      type: 'manual',
      options: '{}',
      counts: '{}',
      errors: '[]',
      record_logs: null,
      cancel_requested: 0,
      created_at: now,
      started_at: now,
      completed_at: options.status === 'running' ? null : now,
      updated_at: now,
    })
    .execute();
  if (options.logs) {
    const writer = createGzipRecordLogWriter({
      directory: modelSyncRecordLogDirectory(server.ferry.context.config.dataDir, sync.id, id),
      maxRecordsPerFile: options.maxRecordsPerFile,
    });
    for (const [type, entries] of Object.entries(options.logs) as Array<[ExecutionLogType, unknown[]]>) {
      for (const entry of entries) await writer.write(type, entry);
    }
    const index = await writer.close();
    await db
      .updateTable('model_sync_executions')
      .set({ record_logs: JSON.stringify(index) })
      .where('id', '=', id)
      .execute();
  }
  return id;
}

export async function appendConsoleLines(server: TestFerry, executionId: string, messages: string[]): Promise<void> {
  const consoleLog = createKyselyConsoleLog(server.ferry.context.database.db);
  for (const message of messages)
    await consoleLog.append({ executionId, level: 'INFO', message, payload: { message } });
}
