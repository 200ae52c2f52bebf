// Cancel and crash: a canceled run leaves only committed batches; a run interrupted after N batches
// (by a cancel, or by a crash between a destination commit and its checkpoint) is finished by a new
// attempt of the same execution with the same checkpoint store, ending with exactly the source rows.
// Every path: COPY (postgresql → postgresql), COPY text printed from MySQL's rows (mysql → postgresql) and record
// batches (sqlite → postgresql).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Connection } from '../../../src/connectors/connector.ts';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import { createSqliteConnector } from '../../../src/connectors/sqlite/sqlite-connector.ts';
import type { BulkSyncPlan } from '../../../src/engine/bulk/bulk-sync-plan.ts';
import type { BulkCheckpoint, CheckpointStore } from '../../../src/engine/bulk/checkpoint-store.ts';
import { createKyselyCheckpointStore } from '../../../src/persistence/stores/kysely-checkpoint-store.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { freshDatabase } from '../../persistence/dialects.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type ScratchDatabase,
} from '../../kit/services.ts';
import { assertCompleted, createHarness, openMysql, openPostgres, planOf, readTable } from './bulk-test-kit.ts';

const unavailable = await postgresUnavailable();
const mysqlMissing = unavailable ?? (await mysqlUnavailable());

type Interruption = 'cancel' | 'crash';

/** A store that interrupts the run at its `after`-th save of a loading checkpoint with rows. */
function interruptingStore(
  inner: CheckpointStore,
  after: number,
  how: Interruption,
  abort: () => void,
): CheckpointStore & { saves: BulkCheckpoint[] } {
  const saves: BulkCheckpoint[] = [];
  let count = 0;
  return {
    ...inner,
    saves,
    async save(checkpoint) {
      if (checkpoint.phase === 'loading' && checkpoint.rows > 0) {
        count += 1;
        if (count === after) {
          if (how === 'crash') {
            // The destination committed this batch, but the process dies before the checkpoint is written.
            abort();
            throw new Error('simulated crash before the checkpoint');
          }
          await inner.save(checkpoint);
          saves.push(checkpoint);
          abort();
          return;
        }
      }
      await inner.save(checkpoint);
      saves.push(checkpoint);
    },
  };
}

describe('bulk engine: cancel and resume', { skip: unavailable }, () => {
  let sourceDatabase: ScratchDatabase;
  let destinationDatabase: ScratchDatabase;
  let source: PostgresConnection;
  let destination: PostgresConnection;
  let sqlite: Connection;
  let sqliteDirectory: string;
  let mysqlDatabase: ScratchDatabase | undefined;
  let mysqlSource: Connection;
  let sourceSql: pg.Pool;
  let destinationSql: pg.Pool;

  before(async () => {
    [sourceDatabase, destinationDatabase] = await Promise.all([
      createPostgresDatabase('ferry_bulk_cancel_src'),
      createPostgresDatabase('ferry_bulk_cancel_dst'),
    ]);
    sourceSql = new pg.Pool({ connectionString: sourceDatabase.url, max: 2 });
    destinationSql = new pg.Pool({ connectionString: destinationDatabase.url, max: 2 });
    source = openPostgres(sourceDatabase);
    destination = openPostgres(destinationDatabase);
    await sourceSql.query(`create table big (id integer primary key, updated_at timestamptz not null, payload text)`);
    await sourceSql.query(
      `insert into big select i, '2024-01-01'::timestamptz + (i / 10) * interval '1 second', repeat(md5(i::text), 4) from generate_series(1, 200000) i`,
    );
    await sourceSql.query(`create table medium as select * from big where id <= 30000`);
    await sourceSql.query(`alter table medium add primary key (id)`);
    await sourceSql.query(`create table loose (at timestamptz, payload text)`);
    await sourceSql.query(
      `insert into loose select '2024-01-01'::timestamptz + i * interval '1 second', md5(i::text) from generate_series(1, 20000) i`,
    );
    sqliteDirectory = mkdtempSync(join(tmpdir(), 'ferry-bulk-'));
    const path = join(sqliteDirectory, 'source.db');
    const native = new Database(path);
    native.exec(
      `CREATE TABLE items (id INTEGER PRIMARY KEY, updated_at TIMESTAMPTZ NOT NULL, name TEXT, amount DECIMAL_TEXT)`,
    );
    const insert = native.prepare(`INSERT INTO items VALUES (?, ?, ?, ?)`);
    native.transaction(() => {
      for (let id = 1; id <= 12000; id += 1)
        insert.run(
          id,
          new Date(Date.UTC(2024, 0, 1, 0, 0, Math.floor(id / 7))).toISOString(),
          `item ${id}`,
          `${id}.50`,
        );
    })();
    native.exec(`CREATE TABLE loose (at TIMESTAMPTZ, payload TEXT)`);
    const insertLoose = native.prepare(`INSERT INTO loose VALUES ('2024-01-01T00:00:00Z', ?)`);
    native.transaction(() => {
      for (let row = 1; row <= 3000; row += 1) insertLoose.run(`row ${String(row).padStart(5, '0')}`);
    })();
    native.close();
    sqlite = createSqliteConnector().open({ path });
    if (!mysqlMissing) {
      mysqlDatabase = await createMysqlDatabase('ferry_bulk_cancel_my');
      const native = await mysql.createConnection({ uri: mysqlDatabase.url });
      await native.query(
        `create table items (id int primary key, updated_at datetime(6) not null, name varchar(32), amount decimal(12,2))`,
      );
      await native.query(
        `insert into items select seq, timestamp '2024-01-01 00:00:00' + interval (seq div 7) second, concat('item\t', seq),
           seq + 0.5 from seq_1_to_12000`,
      );
      await native.query(`create table loose (at datetime not null, payload varchar(32))`);
      await native.query(
        `insert into loose select timestamp '2024-01-01 00:00:00' + interval (seq div 3) second, concat('row ', lpad(seq, 5, '0'))
           from seq_1_to_3000`,
      );
      await native.end();
      mysqlSource = openMysql(mysqlDatabase);
    }
  });
  after(async () => {
    await Promise.all([
      source?.close(),
      destination?.close(),
      sqlite?.close(),
      mysqlSource?.close(),
      sourceSql?.end(),
      destinationSql?.end(),
    ]);
    await Promise.all([sourceDatabase?.drop(), destinationDatabase?.drop(), mysqlDatabase?.drop()]);
    rmSync(sqliteDirectory, { recursive: true, force: true });
  });

  async function destinationCount(table: string, where = 'true'): Promise<number> {
    const { rows } = await destinationSql.query(`select count(*)::int as count from ${table} where ${where}`);
    return rows[0].count;
  }

  test('cancel stops a COPY within seconds and leaves only committed chunks', async () => {
    const context = createMockRunContext();
    let abortedAt = 0;
    const store = interruptingStore(createMemoryCheckpointStore(), 1, 'cancel', () => {
      abortedAt = Date.now();
      context.abort();
    });
    const harness = createHarness(store);
    const plan = planOf(source, destination, {
      syncId: 'cancel',
      schemas: [{ schemaId: 'public.big', outputName: 'big_canceled' }],
      copyChunkSize: 20000,
    });
    const result = await harness.run(plan, context);
    assert.equal(result.status, 'canceled');
    assert.equal(result.error?.code, 'canceled');
    assert.equal(result.schemas[0]!.status, 'canceled');
    assert.ok(Date.now() - abortedAt < 3000, `stopped ${Date.now() - abortedAt} ms after the abort`);
    assert.equal(await destinationCount('big_canceled'), store.saves.at(-1)!.rows);
    assert.ok(harness.consoleLog.entries.some((entry) => entry.level === 'WARN' && /^Canceled/.test(entry.message)));
  });

  test('a resume through the Kysely checkpoint store (SQLite metadata database) ends with exactly the source rows', async () => {
    const fresh = await freshDatabase('sqlite');
    try {
      await migrateToLatest(fresh.database);
      const store = createKyselyCheckpointStore(fresh.database.db);
      const first = createMockRunContext();
      const plan = planOf(sqlite, destination, {
        syncId: 'kysely-resume',
        schemas: [{ schemaId: 'items', outputName: 'kysely_resumed', trackingField: 'updated_at' }],
        batchSize: 1000,
      });
      const interrupted = await createHarness(interruptingStore(store, 4, 'crash', () => first.abort())).run(
        plan,
        first,
      );
      assert.equal(interrupted.status, 'canceled');
      const saved = await createKyselyCheckpointStore(fresh.openAnother().db).load('kysely-resume', 'items');
      assert.equal(saved?.phase, 'loading');
      assert.equal(saved?.rows, 3000);
      assertCompleted(await createHarness(store).run(plan));
      assert.equal(await destinationCount('kysely_resumed'), 12000);
      assert.deepEqual(
        await readTable(destination.bulkSource, 'kysely_resumed', 'id'),
        await readTable(sqlite.bulkSource, 'items', 'id'),
      );
      assert.equal((await store.load('kysely-resume', 'items'))?.phase, 'completed');
    } finally {
      await fresh.dispose();
    }
  });

  const cases: Array<{
    name: string;
    source: () => Connection;
    schemaId: string;
    key: string | undefined;
    sizes: Partial<BulkSyncPlan>;
    mode?: 'snapshot';
    tracking?: string;
    skip?: string;
    /** The path the copy must take, where the source pair offers more than one. */
    path?: 'copy_text';
  }> = [
    {
      name: 'COPY path, primary key',
      source: () => source,
      schemaId: 'public.medium',
      key: 'id',
      sizes: { copyChunkSize: 2000 },
    },
    {
      name: 'COPY path, tracking field with ties',
      source: () => source,
      schemaId: 'public.medium',
      key: 'id',
      tracking: 'updated_at',
      sizes: { copyChunkSize: 2000 },
    },
    {
      name: 'COPY path, no primary key, ordered by a tracking field',
      source: () => source,
      schemaId: 'public.loose',
      key: undefined,
      tracking: 'at',
      sizes: { copyChunkSize: 3000 },
    },
    {
      name: 'COPY path, snapshot with a key',
      source: () => source,
      schemaId: 'public.medium',
      key: 'id',
      mode: 'snapshot',
      sizes: { copyChunkSize: 2000 },
    },
    ...(['replicate', 'snapshot'] as const).flatMap((mode) =>
      [undefined, 'updated_at'].map((tracking) => ({
        name: `MySQL COPY text path, ${mode}, ${tracking ? 'tracking field with ties' : 'primary key'}`,
        source: () => mysqlSource,
        // The scratch database is named when the suite starts, after the cases are listed.
        get schemaId() {
          return `${mysqlDatabase?.name}.items`;
        },
        key: 'id',
        tracking,
        ...(mode === 'snapshot' ? { mode } : {}),
        sizes: { copyChunkSize: 1000 },
        skip: mysqlMissing,
        path: 'copy_text' as const,
      })),
    ),
    {
      name: 'MySQL COPY text path, no primary key, ordered by a tracking field',
      source: () => mysqlSource,
      get schemaId() {
        return `${mysqlDatabase?.name}.loose`;
      },
      key: undefined,
      tracking: 'at',
      sizes: { copyChunkSize: 500 },
      skip: mysqlMissing,
      path: 'copy_text',
    },
    {
      name: 'record path, primary key',
      source: () => sqlite,
      schemaId: 'items',
      key: 'id',
      sizes: { batchSize: 1000 },
    },
    {
      name: 'record path, tracking field with ties',
      source: () => sqlite,
      schemaId: 'items',
      key: 'id',
      tracking: 'updated_at',
      sizes: { batchSize: 1000 },
    },
    {
      name: 'record path, no primary key',
      source: () => sqlite,
      schemaId: 'loose',
      key: undefined,
      sizes: { batchSize: 500 },
    },
    {
      name: 'record path, snapshot without a key',
      source: () => sqlite,
      schemaId: 'loose',
      key: undefined,
      mode: 'snapshot',
      sizes: { batchSize: 500 },
    },
  ];
  let caseNumber = 0;
  for (const item of cases) {
    for (const how of ['cancel', 'crash'] as const) {
      test(`${item.name}: interrupted by a ${how} after 3 batches, resumed, ends with exactly the source rows`, {
        skip: item.skip,
      }, async () => {
        caseNumber += 1;
        const output = `resumed_${caseNumber}`;
        const inner = createMemoryCheckpointStore();
        const first = createMockRunContext();
        const plan = planOf(item.source(), destination, {
          syncId: `resume-${caseNumber}`,
          mode: item.mode ?? 'replicate',
          schemas: [{ schemaId: item.schemaId, outputName: output, trackingField: item.tracking }],
          ...item.sizes,
        });
        const interrupted = await createHarness(interruptingStore(inner, 3, how, () => first.abort())).run(plan, first);
        assert.notEqual(interrupted.status, 'completed');
        const partial = await destinationCount(output);
        const sourceRows = await readTable(item.source().bulkSource!, item.schemaId, item.key ?? 'payload');
        assert.ok(partial > 0 && partial < sourceRows.length, `partial copy: ${partial}`);

        const resumed = await createHarness(inner).run(plan);
        assertCompleted(resumed);
        if (item.path) assert.equal(resumed.schemas[0]!.path, item.path);
        assert.equal(await destinationCount(output), sourceRows.length);
        const copied = await readTable(destination.bulkSource, output, item.key ?? 'payload');
        const fields = Object.keys(sourceRows[0]!);
        assert.deepEqual(
          copied.map((row) => Object.fromEntries(fields.map((field) => [field, row[field]]))),
          sourceRows,
        );
        if (item.key) {
          const { rows } = await destinationSql.query(
            `select count(distinct ${item.key})::int as count from ${output}`,
          );
          assert.equal(rows[0].count, sourceRows.length, 'no duplicates');
        }
      });
    }
  }
});
