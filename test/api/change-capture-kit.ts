// A PostgreSQL → PostgreSQL world for change-capture tests through the public API: a source scratch database (its
// slots are dropped by cleanup, whatever the test left: a forgotten slot pins WAL for everyone on the server), a
// destination scratch database, the two connections (the source with change_detection on) and a bulk sync.
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { call } from '../kit/ferry-server.ts';
import { apiVersions } from '../../src/api/versioning/versions.ts';
import { createMysqlDatabase, createPostgresDatabase, type ScratchDatabase } from '../kit/services.ts';
import { createCaptureWorld, type CaptureWorld } from '../connectors/postgres/change-capture-fixture.ts';
import { postgresConfiguration } from './connection-data-kit.ts';

export interface FerryEndpoint {
  url: string;
  apiKey: string;
}

/** The source side of a world, whatever its type: plain SQL, and a table's rows as JSON text in column order. */
interface CdcSource {
  /** Runs statements; resolves to the rows they changed (a MySQL update to the same value changes none). */
  query(text: string): Promise<number>;
  rows(table: string, columns: string, order?: string): Promise<string[]>;
  /** The schema id the connector gives `table`. */
  schemaId(table: string): string;
  /** How many bytes the server's whole log has grown to (every database writes to it): a place in it as a number. */
  logEnd(): Promise<number>;
}

export interface PostgresCdcWorld {
  source: CaptureWorld;
  sourceSql: CdcSource;
  destination: ScratchDatabase;
  destinationSql: pg.Pool;
  sourceConnectionId: string;
  destinationConnectionId: string;
  cleanup(): Promise<void>;
}

export async function createPostgresCdcWorld(ferry: FerryEndpoint, setupSql: string): Promise<PostgresCdcWorld> {
  const source = await createCaptureWorld();
  const destination = await createPostgresDatabase('ferry_cdc_dst');
  const destinationSql = new pg.Pool({ connectionString: destination.url, max: 2 });
  try {
    await source.sql.query(setupSql);
    const create = (name: string, configuration: Record<string, unknown>) =>
      createConnectionOf(ferry, 'postgresql', name, configuration);
    const sourceConnectionId = await create('cdc source', {
      ...postgresConfiguration(source.database),
      change_detection: true,
    });
    const destinationConnectionId = await create('cdc destination', postgresConfiguration(destination));
    return {
      source,
      sourceSql: {
        async query(text) {
          const results = (await source.sql.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
          const list = Array.isArray(results) ? results : [results];
          return list.reduce((sum, result) => sum + (result.command === 'BEGIN' ? 0 : (result.rowCount ?? 0)), 0);
        },
        rows: (table, columns, order) => tableRows(source.sql, table, columns, order),
        schemaId: (table) => `public.${table}`,
        async logEnd() {
          const { rows } = await source.sql.query<{ n: string }>(
            "select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text as n",
          );
          return Number(rows[0]!.n);
        },
      },
      destination,
      destinationSql,
      sourceConnectionId,
      destinationConnectionId,
      async cleanup() {
        await destinationSql.end().catch(() => {});
        await source.cleanup();
        await destination.drop();
      },
    };
  } catch (error) {
    await destinationSql.end().catch(() => {});
    await source.cleanup();
    await destination.drop();
    throw error;
  }
}

/** A MariaDB source (change_detection on) with a PostgreSQL destination; cleanup drops both databases. */
export async function createMariadbCdcWorld(
  ferry: FerryEndpoint,
  setupSql: string,
): Promise<Omit<PostgresCdcWorld, 'source'>> {
  const database = await createMysqlDatabase('ferry_cdc_src');
  const destination = await createPostgresDatabase('ferry_cdc_dst');
  const destinationSql = new pg.Pool({ connectionString: destination.url, max: 2 });
  // Without FOUND_ROWS, affectedRows counts the rows a statement changed (and so wrote to the binlog).
  const native = mysql.createPool({
    uri: database.url,
    multipleStatements: true,
    connectionLimit: 2,
    flags: ['-FOUND_ROWS'],
  });
  const cleanup = async () => {
    await destinationSql.end().catch(() => {});
    await native.end().catch(() => {});
    await database.drop();
    await destination.drop();
  };
  try {
    await native.query(setupSql);
    const url = new URL(database.url);
    const sourceConnectionId = await createConnectionOf(ferry, 'mysql', 'cdc source', {
      hostname: url.hostname,
      port: Number(url.port || 3306),
      account: decodeURIComponent(url.username),
      passwd: decodeURIComponent(url.password),
      dbname: database.name,
      ssl: false,
      change_detection: true,
    });
    const destinationConnectionId = await createConnectionOf(
      ferry,
      'postgresql',
      'cdc destination',
      postgresConfiguration(destination),
    );
    return {
      sourceSql: {
        async query(text) {
          const [results] = await native.query(text);
          const list = (Array.isArray(results) ? results : [results]) as Array<{ affectedRows?: number }>;
          return list.reduce((sum, result) => sum + (result.affectedRows ?? 0), 0);
        },
        async rows(table, columns, order = 'id') {
          const [rows] = await native.query(`select ${columns} from ${table} order by ${order}`);
          return (rows as Array<Record<string, unknown>>).map((row) => JSON.stringify(row));
        },
        schemaId: (table) => `${database.name}.${table}`,
        async logEnd() {
          const [rows] = await native.query('show binary logs');
          return (rows as Array<{ File_size: number | string }>).reduce((sum, row) => sum + Number(row.File_size), 0);
        },
      },
      destination,
      destinationSql,
      sourceConnectionId,
      destinationConnectionId,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function createConnectionOf(
  ferry: FerryEndpoint,
  type: string,
  name: string,
  configuration: Record<string, unknown>,
): Promise<string> {
  const created = await call(ferry.url, 'POST', '/api/connections', {
    key: ferry.apiKey,
    body: { name, type, configuration, validate: true },
  });
  assert.equal(created.status, 200, created.text);
  return created.body.data.id as string;
}

export async function createBulkSync(
  ferry: FerryEndpoint,
  world: Pick<PostgresCdcWorld, 'sourceConnectionId' | 'destinationConnectionId'>,
  schemas: string[],
  frequency = 'manual',
): Promise<string> {
  const created = await call(ferry.url, 'POST', '/api/bulk/syncs', {
    key: ferry.apiKey,
    body: {
      name: 'Change capture',
      mode: 'replicate',
      source_connection_id: world.sourceConnectionId,
      destination_connection_id: world.destinationConnectionId,
      destination_configuration: { schema: 'copied' },
      schemas,
      default_schedule: { frequency },
    },
  });
  assert.equal(created.status, 200, created.text);
  return created.body.data.id as string;
}

const terminal = new Set(['completed', 'failed', 'canceled']);

/** Starts an execution and waits until it is terminal; returns the execution. */
export async function runExecution(
  ferry: FerryEndpoint,
  syncId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const started = await call(ferry.url, 'POST', `/api/bulk/syncs/${syncId}/executions`, {
    key: ferry.apiKey,
    body: {},
  });
  assert.equal(started.status, 200, started.text);
  const executionId = started.body.data.id as string;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await call(ferry.url, 'GET', `/api/bulk/syncs/${syncId}/executions/${executionId}`, {
      key: ferry.apiKey,
    });
    assert.equal(got.status, 200, got.text);
    if (terminal.has(got.body.data.status)) return got.body.data;
    if (Date.now() > deadline) assert.fail(`execution ${executionId} still ${got.body.data.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The console log messages of an execution. */
export async function consoleMessages(ferry: FerryEndpoint, syncId: string, executionId: string): Promise<string[]> {
  const messages: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await call(
      ferry.url,
      'GET',
      `/api/bulk/syncs/${syncId}/executions/${executionId}/consolelog?limit=50${after ? `&after=${after}` : ''}`,
      { key: ferry.apiKey },
    );
    assert.equal(page.status, 200, page.text);
    const entries = (page.body.data.entries ?? page.body.data.logs ?? []) as Array<{ message: string }>;
    messages.push(...entries.map((entry) => entry.message));
    after = page.body.data.next_cursor;
    if (!after || entries.length === 0) return messages;
  }
}

/** Every row of a table as JSON text, ordered by `order`, so two databases compare row by row. */
export async function tableRows(sql: pg.Pool, table: string, columns: string, order = 'id'): Promise<string[]> {
  const { rows } = await sql.query<{ row: string }>(
    `select row_to_json(t)::text as row from (select ${columns} from ${table} order by ${order}) t`,
  );
  return rows.map((row) => row.row);
}

export async function slotsNamed(sql: pg.Pool, slot: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    'select count(*)::int as n from pg_replication_slots where slot_name = $1',
    [slot],
  );
  return rows[0]!.n;
}

/**
 * 10,000 row changes in 200 transactions of 50: inserts of new ids, updates (some sparing doc), deletes; each on a
 * row that exists at that moment, so every statement is one change in the log.
 */
export function mixedChanges(): string[] {
  const live = Array.from({ length: 2000 }, (_, index) => index + 1);
  const transactions: string[] = [];
  let nextId = 2001;
  let seed = 42;
  const random = (below: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % below;
  };
  for (let transaction = 0; transaction < 200; transaction += 1) {
    const statements: string[] = ['begin'];
    for (let index = 0; index < 50; index += 1) {
      const kind = random(10);
      const at = random(live.length);
      const id = live[at]!;
      if (kind < 4) {
        statements.push(`insert into items values (${nextId}, 'new', ${transaction}, null)`);
        live.push(nextId++);
      } else if (kind < 6) statements.push(`update items set v = 'u${transaction}', n = n + 1 where id = ${id}`);
      else if (kind < 8) statements.push(`update items set doc = 'small ${transaction}' where id = ${id}`);
      else {
        statements.push(`delete from items where id = ${id}`);
        live.splice(at, 1);
      }
    }
    statements.push('commit');
    transactions.push(statements.join(';\n'));
  }
  return transactions;
}

/** The warning threshold the status tests run their Ferry with (FERRY_CDC_LAG_WARN_BYTES): 256 KiB. */
export const statusWarnBytes = 256 * 1024;

/** The status route's `ingestion_status` in every API version; the versions must agree on whether there is one. */
async function ingestionStatus(ferry: FerryEndpoint, syncId: string): Promise<Record<string, unknown> | undefined> {
  const answers = [];
  for (const version of apiVersions) {
    const got = await call(ferry.url, 'GET', `/api/bulk/syncs/${syncId}/status`, { key: ferry.apiKey, version });
    assert.equal(got.status, 200, `${version}: ${got.text}`);
    answers.push({ version, status: got.body.data.ingestion_status as Record<string, unknown> | undefined });
  }
  for (const { version, status } of answers)
    assert.equal(status === undefined, answers[0]!.status === undefined, `${version} agrees on ingestion_status`);
  return answers[0]!.status;
}

/**
 * The sync status through the stream's life: none for a snapshot sync; no bytes before the first run; after it a
 * measured position; `changes` written and not consumed show as bytes behind, over the threshold as a warning; a
 * run consumes them. The source's log is the whole server's (other databases on it write too, at any rate), so a
 * run's effect is read as the stream's place in the log (the log's end minus bytes behind) moving past the changes,
 * not as a smaller figure than before, which another writer could hide.
 */
export async function checkStatusFollowsTheStream(
  ferry: FerryEndpoint,
  world: Pick<PostgresCdcWorld, 'sourceConnectionId' | 'destinationConnectionId' | 'sourceSql'>,
  table: string,
  changes: string,
): Promise<void> {
  // The source's type lists change capture among its operations (the connector's `changeCapture` capability).
  const connection = await call(ferry.url, 'GET', `/api/connections/${world.sourceConnectionId}`, {
    key: ferry.apiKey,
  });
  assert.equal(connection.status, 200, connection.text);
  assert.ok(connection.body.data.type.operations.includes('change_capture'), connection.text);

  const snapshot = await call(ferry.url, 'POST', '/api/bulk/syncs', {
    key: ferry.apiKey,
    body: {
      name: 'No change capture',
      mode: 'snapshot',
      source_connection_id: world.sourceConnectionId,
      destination_connection_id: world.destinationConnectionId,
      destination_configuration: { schema: 'snapshot' },
      schemas: [world.sourceSql.schemaId(table)],
      default_schedule: { frequency: 'manual' },
    },
  });
  assert.equal(snapshot.status, 200, snapshot.text);
  assert.equal(await ingestionStatus(ferry, snapshot.body.data.id), undefined, 'a snapshot sync has no stream');

  const syncId = await createBulkSync(ferry, world, [world.sourceSql.schemaId(table)]);
  const before = await ingestionStatus(ferry, syncId);
  assert.equal(before?.enabled, true, JSON.stringify(before));
  assert.equal(before?.bytes_behind, undefined, 'no stream yet');
  assert.equal((await runExecution(ferry, syncId)).status, 'completed');
  const copied = await ingestionStatus(ferry, syncId);
  assert.equal(typeof copied?.bytes_behind, 'number', JSON.stringify(copied));
  assert.equal(typeof copied?.position, 'string', JSON.stringify(copied));

  const writeStarts = await world.sourceSql.logEnd();
  await world.sourceSql.query(changes);
  const written = (await world.sourceSql.logEnd()) - writeStarts;
  const behind = await ingestionStatus(ferry, syncId);
  const streamPlace = async (status: Record<string, unknown> | undefined) =>
    (await world.sourceSql.logEnd()) - (status?.bytes_behind as number);
  const placeBefore = await streamPlace(behind);
  assert.ok(
    (behind?.bytes_behind as number) > statusWarnBytes,
    `the unconsumed changes show as bytes behind: ${JSON.stringify(behind)}`,
  );
  assert.equal(behind?.status, 'warning', JSON.stringify(behind));
  assert.match(behind?.status_message as string, /over the warning threshold of 262,144/);

  assert.equal((await runExecution(ferry, syncId)).status, 'completed');
  const caughtUp = await ingestionStatus(ferry, syncId);
  assert.equal(typeof caughtUp?.bytes_behind, 'number', JSON.stringify(caughtUp));
  const advanced = (await streamPlace(caughtUp)) - placeBefore;
  // Half: the reads of the log's end are a few milliseconds apart from the status they pair with.
  assert.ok(advanced >= written / 2, `a run consumed the ${written} bytes written: ${advanced} bytes further`);
  assert.notEqual(caughtUp?.position, copied?.position, 'the position moved');
}
