// A scratch database with a change-capture connection on it, for the PostgreSQL change-capture tests. Replication
// slots are cluster-wide and pin WAL while they exist, so cleanup() drops every slot of the scratch database
// (ending the walsender that holds one) before the database itself, whatever the test left behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Change, ChangeBatch, ChangeStream } from '../../../src/connectors/change-capture.ts';
import type { ChangeCaptureSource } from '../../../src/connectors/change-capture.ts';
import {
  createPostgresConnector,
  type PostgresConnection,
} from '../../../src/connectors/postgres/postgres-connector.ts';
import { postgresTypeParsers } from '../../../src/connectors/postgres/postgres-types.ts';
import type { Row } from '../../../src/connectors/records.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { createPostgresDatabase, postgresAdminUrl, type ScratchDatabase } from '../../kit/services.ts';
import { postgresConfiguration } from '../postgres-configuration-fixture.ts';

export interface CaptureWorld {
  database: ScratchDatabase;
  connection: PostgresConnection;
  capture: ChangeCaptureSource;
  /** Plain SQL on the scratch database, parsed as Ferry parses. */
  sql: pg.Pool;
  /** A stream id no other test uses. */
  streamId(): string;
  open(configuration?: Record<string, unknown>): PostgresConnection;
  cleanup(): Promise<void>;
}

export async function createCaptureWorld(): Promise<CaptureWorld> {
  const database = await createPostgresDatabase('ferry_pgcapture');
  const sql = new pg.Pool({ connectionString: database.url, max: 4, types: postgresTypeParsers });
  const opened: PostgresConnection[] = [];
  const open = (configuration: Record<string, unknown> = {}) => {
    const connection = createPostgresConnector().open({
      ...postgresConfiguration(database),
      change_detection: true,
      ...configuration,
    }) as PostgresConnection;
    opened.push(connection);
    return connection;
  };
  const connection = open();
  if (!connection.changeCapture) throw new Error('change_detection: true opened no changeCapture');
  return {
    database,
    connection,
    capture: connection.changeCapture,
    sql,
    streamId: () => `ferry_test_${randomBytes(6).toString('hex')}`,
    open,
    async cleanup() {
      for (const each of opened) await each.close().catch(() => {});
      await sql.end().catch(() => {});
      await dropSlotsOf(database.name);
      await database.drop();
    },
  };
}

async function dropSlotsOf(databaseName: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { rows } = await admin.query<{ slot_name: string; active_pid: number | null }>(
        'select slot_name, active_pid from pg_replication_slots where database = $1',
        [databaseName],
      );
      if (rows.length === 0) return;
      for (const row of rows) {
        if (row.active_pid !== null) await admin.query('select pg_terminate_backend($1)', [row.active_pid]);
        else await admin.query('select pg_drop_replication_slot($1)', [row.slot_name]).catch(() => {});
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await admin.end();
  }
}

export const context = () => createMockRunContext();

/** Every batch of a stopAtCurrent stream, confirming each position as the engine would after committing. */
export async function drain(stream: ChangeStream, options: { confirm?: boolean } = {}): Promise<ChangeBatch[]> {
  const batches: ChangeBatch[] = [];
  try {
    for await (const batch of stream) {
      batches.push(batch);
      if (options.confirm !== false && batch.position) await stream.confirm(batch.position);
    }
  } finally {
    await stream.close();
  }
  return batches;
}

/** Applies changes to an in-memory table keyed by `key`, as a destination would. */
export function applyChanges(table: Map<string, Row>, changes: Change[], key: (row: Row) => string): void {
  for (const change of changes) {
    if (change.kind === 'upsert') {
      const before = table.get(key(change.row));
      const row = { ...change.row };
      for (const field of change.unchanged ?? []) row[field] = before?.[field];
      table.set(key(row), row);
    } else if (change.kind === 'delete') table.delete(key(change.key));
    else if (change.kind === 'truncate') table.clear();
  }
}

export const rowChanges = (batches: ChangeBatch[]) =>
  batches.flatMap((batch) => batch.changes).filter((change) => change.kind !== 'schema');
