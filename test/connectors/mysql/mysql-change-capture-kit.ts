// What the MySQL change-capture tests share: a scratch database on the local MariaDB, a `mysql` connection with
// change_detection on, a native connection for the writes under test, and a map that applies changes by key.
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { Change, ChangeBatch, ChangeCaptureSource } from '../../../src/connectors/change-capture.ts';
import type { Connection, Row } from '../../../src/connectors/connector.ts';
import { createMysqlConnector } from '../../../src/connectors/mysql/mysql-connector.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { createMysqlDatabase, type ScratchDatabase } from '../../kit/services.ts';

export interface CaptureFixture {
  database: ScratchDatabase;
  connection: Connection;
  capture: ChangeCaptureSource;
  native: mysql.Connection;
  configuration: Record<string, unknown>;
  schemaId(table: string): string;
  close(): Promise<void>;
}

function configurationOf(database: ScratchDatabase): Record<string, unknown> {
  const url = new URL(database.url);
  return {
    hostname: url.hostname,
    port: Number(url.port || 3306),
    account: decodeURIComponent(url.username),
    passwd: decodeURIComponent(url.password),
    dbname: database.name,
    ssl: false,
    change_detection: true,
  };
}

export async function openCaptureFixture(): Promise<CaptureFixture> {
  const database = await createMysqlDatabase('ferry_cdc');
  const configuration = configurationOf(database);
  const connection = createMysqlConnector().open(configuration);
  // Without FOUND_ROWS, affectedRows counts rows a statement changed (and so wrote to the binlog), not rows it matched.
  const native = await mysql.createConnection({
    uri: database.url,
    multipleStatements: true,
    charset: 'utf8mb4',
    flags: ['-FOUND_ROWS'],
  });
  await native.query("SET time_zone = '+00:00'");
  assert.ok(connection.changeCapture, 'change_detection: true exposes changeCapture');
  return {
    database,
    connection,
    capture: connection.changeCapture,
    native,
    configuration,
    schemaId: (table) => `${database.name}.${table}`,
    async close() {
      await native.end();
      await connection.close();
      await database.drop();
    },
  };
}

export const context = () => createMockRunContext();

/** Every batch of a stopAtCurrent stream from `from`. */
export async function streamToEnd(
  capture: ChangeCaptureSource,
  request: { from: string; schemaIds: string[]; maxChanges?: number },
): Promise<ChangeBatch[]> {
  const stream = await capture.stream(context(), {
    streamId: 'ferry_test',
    schemaIds: request.schemaIds,
    from: request.from,
    stopAtCurrent: true,
    maxChanges: request.maxChanges ?? 1000,
  });
  const batches: ChangeBatch[] = [];
  try {
    for await (const batch of stream) batches.push(batch);
  } finally {
    await stream.close();
  }
  return batches;
}

/** Tables as maps of rows by key, changed as a destination applying the changes would be. */
export class AppliedTables {
  readonly tables = new Map<string, Map<string, Row>>();
  private readonly keys: Record<string, string[]>;
  constructor(keys: Record<string, string[]>) {
    this.keys = keys;
  }

  private table(schemaId: string) {
    let table = this.tables.get(schemaId);
    if (!table) {
      table = new Map();
      this.tables.set(schemaId, table);
    }
    return table;
  }

  private keyOf(schemaId: string, row: Row) {
    const key = this.keys[schemaId];
    assert.ok(key, `a key for ${schemaId}`);
    return JSON.stringify(key.map((field) => row[field]));
  }

  load(schemaId: string, rows: Row[]) {
    for (const row of rows) this.table(schemaId).set(this.keyOf(schemaId, row), row);
  }

  apply(changes: Change[]) {
    for (const change of changes) {
      if (change.kind === 'upsert')
        this.table(change.schemaId).set(this.keyOf(change.schemaId, change.row), change.row);
      else if (change.kind === 'delete') this.table(change.schemaId).delete(this.keyOf(change.schemaId, change.key));
      else if (change.kind === 'truncate') this.table(change.schemaId).clear();
    }
  }

  rows(schemaId: string, orderBy: string): Row[] {
    return [...this.table(schemaId).values()].sort((a, b) => Number(a[orderBy]) - Number(b[orderBy]));
  }
}

export async function readAll(connection: Connection, schemaId: string, sourceSnapshot?: string): Promise<Row[]> {
  const rows: Row[] = [];
  assert.ok(connection.bulkSource);
  for await (const batch of connection.bulkSource.read(context(), { schemaId, sourceSnapshot, batchSize: 500 }))
    rows.push(...batch);
  return rows;
}

export const byId = (rows: Row[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));
