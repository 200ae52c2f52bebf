// Parallel ranges on the MySQL/MariaDB → PostgreSQL COPY text path, as parallel-ranges.test.ts holds them for
// PostgreSQL sources: a table over the split threshold is cut into ranges of its order field (an integer key evenly
// between its ends, a text key and a datetime tracking field by walking the index), copied at once on their own
// connections, each checkpointed on its own; a crash resumes only what the unfinished ranges lack, and the next run
// continues incrementally from the largest value. Every ranged copy is compared row by row with a one-stream copy of
// the same table.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Connection } from '../../../src/connectors/connector.ts';
import { createMysqlConnector } from '../../../src/connectors/mysql/mysql-connector.ts';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type ScratchDatabase,
} from '../../kit/services.ts';
import { assertCompleted, createHarness, openMysql, openPostgres, planOf } from './bulk-test-kit.ts';
import { mysqlConfiguration } from '../../api/connection-data-kit.ts';
import { rangesOf, recordingStore, rowsCopiedAgain } from './range-checkpoints.ts';

const unavailable = (await postgresUnavailable()) ?? (await mysqlUnavailable());

describe('bulk engine: parallel ranges of one big MySQL table', { skip: unavailable }, () => {
  let sourceDatabase: ScratchDatabase;
  let destinationDatabase: ScratchDatabase;
  let source: Connection;
  let destination: PostgresConnection;
  let native: mysql.Connection;
  let destinationSql: pg.Pool;
  const rows = 30_000;
  const sizes = { copyChunkSize: 2_000, rangeParallelism: 3, splitAboveRows: 10_000 };

  before(async () => {
    [sourceDatabase, destinationDatabase] = await Promise.all([
      createMysqlDatabase('ferry_my_ranges'),
      createPostgresDatabase('ferry_my_ranges'),
    ]);
    native = await mysql.createConnection({ uri: sourceDatabase.url, multipleStatements: true });
    // Every 1000th row has no tracking value: those come after the ranges, in a chunk of their own.
    await native.query(
      `create table items (id bigint primary key, name varchar(40) not null, amount decimal(12,2),
         updated_at datetime(6) null);
       insert into items select seq, concat('item ', seq), seq * 0.5,
         if(seq % 1000 = 0, null, timestamp '2026-01-01 00:00:00' + interval (seq % 997) minute)
         from seq_1_to_${rows};
       create table coded (code varchar(40) primary key, n int not null);
       insert into coded select md5(seq), seq from seq_1_to_${rows};
       create table loose (n int not null, label varchar(20));
       insert into loose select seq, concat('row ', seq) from seq_1_to_${rows};
       analyze table items, coded, loose;`,
    );
    destinationSql = new pg.Pool({ connectionString: destinationDatabase.url, max: 2 });
    source = openMysql(sourceDatabase);
    destination = openPostgres(destinationDatabase);
  });
  after(async () => {
    await Promise.all([source?.close(), destination?.close(), native?.end(), destinationSql?.end()]);
    await Promise.all([sourceDatabase?.drop(), destinationDatabase?.drop()]);
  });

  const table = (name: string) => `${sourceDatabase.name}.${name}`;

  async function count(name: string, key = 'id'): Promise<{ rows: number; keys: number }> {
    const { rows: found } = await destinationSql.query(
      `select count(*)::int as rows, count(distinct ${key})::int as keys from ${name}`,
    );
    return found[0];
  }

  /** Rows of `left` missing from `right` and the other way round (as multisets): none when the copies are equal. */
  async function assertSameRows(left: string, right: string): Promise<void> {
    const { rows: differing } = await destinationSql.query(
      `select count(*)::int as count from ((table ${left} except all table ${right})
         union all (table ${right} except all table ${left})) as differing`,
    );
    assert.equal(differing[0].count, 0, `${left} and ${right} differ in ${differing[0].count} rows`);
  }

  /** The same table copied as one stream: what every ranged copy must equal, row by row. */
  async function oneStream(schemaId: string, outputName: string): Promise<void> {
    const result = await createHarness().run(
      planOf(source, destination, {
        syncId: `one-stream-${outputName}`,
        schemas: [{ schemaId, outputName }],
        ...sizes,
        rangeParallelism: 1,
      }),
    );
    assertCompleted(result);
  }

  test('an integer key is cut into ranges copied at once; every row is copied exactly once', async () => {
    const { store, saves } = recordingStore(createMemoryCheckpointStore());
    const result = await createHarness(store).run(
      planOf(source, destination, {
        syncId: 'my-ranges-integer',
        schemas: [{ schemaId: table('items'), outputName: 'items_ranged' }],
        ...sizes,
      }),
    );
    assertCompleted(result);
    assert.equal(result.schemas[0]!.path, 'copy_text');
    assert.equal(result.recordCount, rows);
    assert.deepEqual(await count('items_ranged'), { rows, keys: rows });
    await oneStream(table('items'), 'items_one');
    await assertSameRows('items_ranged', 'items_one');
    const progress = saves.map(rangesOf).filter((cursor) => cursor !== undefined);
    assert.ok(progress.length >= rows / sizes.copyChunkSize, 'a checkpoint after every committed chunk');
    assert.deepEqual(
      progress[0]!.ranges.map((range) => [range.lower, range.upper]),
      [
        [null, '10000'],
        ['10000', '20000'],
        ['20000', null],
      ],
      'three ranges cut evenly between the key ends (a bigint as exact text)',
    );
    // The ranges ran at once: some checkpoint shows two of them started and unfinished. (All three is what usually
    // shows, but a loaded machine can let one range finish before another's first chunk commits.)
    assert.ok(
      progress.some((cursor) => cursor.ranges.filter((range) => range.after !== null && !range.done).length >= 2),
      'ranges in progress at the same time',
    );
    const final = saves.at(-1)!;
    assert.equal(final.phase, 'completed');
    assert.equal(String(final.cursor), String(rows), 'the last checkpoint holds the largest key, as a plain value');
  });

  test('a text key is cut by walking its index into ranges of about equal rows', async () => {
    const { store, saves } = recordingStore(createMemoryCheckpointStore());
    const result = await createHarness(store).run(
      planOf(source, destination, {
        syncId: 'my-ranges-text',
        schemas: [{ schemaId: table('coded'), outputName: 'coded_ranged' }],
        ...sizes,
      }),
    );
    assertCompleted(result);
    assert.deepEqual(await count('coded_ranged', 'code'), { rows, keys: rows });
    await oneStream(table('coded'), 'coded_one');
    await assertSameRows('coded_ranged', 'coded_one');
    const ranged = saves.map(rangesOf).find((cursor) => cursor !== undefined);
    assert.equal(ranged!.ranges.length, 3);
    const { rows: sizesOfRanges } = await destinationSql.query(
      'select count(*) filter (where code <= $1)::int as first, count(*) filter (where code > $2)::int as last from coded_ranged',
      [ranged!.ranges[0]!.upper, ranged!.ranges[2]!.lower],
    );
    for (const size of [sizesOfRanges[0].first, sizesOfRanges[0].last])
      assert.ok(size > rows / 6 && size < rows / 2, `a range of ${size} rows, about a third of ${rows}`);
  });

  test('below the threshold, with one range allowed, or without a usable key, the copy is one stream', async () => {
    for (const [name, schemaId, overrides] of [
      ['small', 'items', { splitAboveRows: rows }],
      ['single', 'items', { rangeParallelism: 1 }],
      ['keyless', 'loose', {}],
    ] as const) {
      const { store, saves } = recordingStore(createMemoryCheckpointStore());
      const result = await createHarness(store).run(
        planOf(source, destination, {
          syncId: `my-ranges-${name}`,
          schemas: [{ schemaId: table(schemaId), outputName: `one_${name}` }],
          ...sizes,
          ...overrides,
        }),
      );
      assertCompleted(result);
      assert.equal(result.schemas[0]!.path, 'copy_text');
      assert.ok(
        saves.every((save) => rangesOf(save) === undefined),
        `${name}: no ranges`,
      );
      assert.deepEqual(await count(`one_${name}`, name === 'keyless' ? 'n' : 'id'), { rows, keys: rows });
    }
  });

  test('the plan’s range parallelism (the sync’s concurrency_limit caps it) is the number of ranges', async () => {
    for (const rangeParallelism of [2, 4]) {
      const { store, saves } = recordingStore(createMemoryCheckpointStore());
      const result = await createHarness(store).run(
        planOf(source, destination, {
          syncId: `my-ranges-cap-${rangeParallelism}`,
          schemas: [{ schemaId: table('items'), outputName: `items_cap_${rangeParallelism}` }],
          ...sizes,
          rangeParallelism,
        }),
      );
      assertCompleted(result);
      const ranged = saves.map(rangesOf).find((cursor) => cursor !== undefined);
      assert.equal(ranged?.ranges.length, rangeParallelism);
      assert.deepEqual(await count(`items_cap_${rangeParallelism}`), { rows, keys: rows });
    }
  });

  test('inside a change-capture snapshot the copy stays one stream, whatever the table’s size', async () => {
    const capturing = createMysqlConnector().open({ ...mysqlConfiguration(sourceDatabase), change_detection: true });
    try {
      const start = await capturing.changeCapture!.start(createMockRunContext(), {
        streamId: 'ferry_ranges_snapshot',
        schemaIds: [table('items')],
      });
      const direct = capturing.directCopy!.to(destination)!;
      await destinationSql.query('create table items_snapshot (id bigint primary key, name text)');
      const cursors: unknown[] = [];
      try {
        await direct.copy(
          createMockRunContext(),
          {
            sourceSchemaId: table('items'),
            destinationSchemaId: 'public.items_snapshot',
            fields: [
              { sourceId: 'id', destinationId: 'id' },
              { sourceId: 'name', destinationId: 'name' },
            ],
            writeMode: 'insert',
            destinationPrimaryKey: ['id'],
            destinationFresh: true,
            cursor: { field: 'id' },
            chunkSize: sizes.copyChunkSize,
            parallelism: 4,
            splitAboveRows: 1,
            sourceSnapshot: start.snapshot.id,
          },
          async (chunk) => {
            cursors.push(chunk.cursor);
          },
        );
      } finally {
        await start.snapshot.release();
      }
      assert.ok(
        cursors.every((cursor) => typeof cursor === 'string'),
        'every chunk reports a plain key: one stream',
      );
      assert.deepEqual(await count('items_snapshot'), { rows, keys: rows });
    } finally {
      await capturing.close();
    }
  });

  test('a crash between a commit and its checkpoint resumes only the unfinished ranges, with no row lost or doubled', async () => {
    const inner = createMemoryCheckpointStore();
    const first = createMockRunContext();
    const plan = planOf(source, destination, {
      syncId: 'my-ranges-crash',
      schemas: [{ schemaId: table('items'), outputName: 'items_resumed', trackingField: 'updated_at' }],
      ...sizes,
    });
    const crashing = recordingStore(inner, { save: 7, abort: () => first.abort() });
    const interrupted = await createHarness(crashing.store).run(plan, first);
    assert.notEqual(interrupted.status, 'completed');
    assert.ok(
      crashing.saves.some((save) => rangesOf(save) !== undefined),
      'the interrupted copy ran in ranges (of the tracking field, cut by walking it)',
    );
    const partial = await count('items_resumed');
    assert.ok(partial.rows > 0 && partial.rows < rows, `a partial copy: ${partial.rows} rows`);

    const resuming = recordingStore(inner);
    const resumed = await createHarness(resuming.store).run(plan);
    assertCompleted(resumed);
    assert.deepEqual(await count('items_resumed'), { rows, keys: rows });
    await oneStream(table('items'), 'items_reference');
    await assertSameRows('items_resumed', 'items_reference');
    const copiedAgain = rowsCopiedAgain(crashing.saves, resuming.saves);
    assert.ok(copiedAgain < rows, `the resumed attempt copied ${copiedAgain} rows, not the whole table again`);

    // The next execution continues incrementally from the largest tracking value, as after one stream.
    await native.query(
      `update items set name = 'changed', updated_at = timestamp '2026-02-01 00:00:00' where id in (5, 25000)`,
    );
    const next = await createHarness(inner).run({ ...plan, executionId: 'my-ranges-crash-next' });
    assertCompleted(next);
    assert.ok(next.recordCount < rows, `incremental: ${next.recordCount} rows`);
    const { rows: changed } = await destinationSql.query(
      `select id::int from items_resumed where name = 'changed' order by id`,
    );
    assert.deepEqual(
      changed.map((row) => row.id),
      [5, 25000],
    );
  });
});
