// Parallel ranges on the COPY path: a table over the split threshold is cut into ranges of its order field, copied
// at once, each range checkpointed on its own; a crash resumes only what the unfinished ranges lack, and the next
// run continues incrementally from the largest value, as after a one-stream copy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { PostgresConnection } from '../../../src/connectors/postgres/postgres-connector.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMockRunContext } from '../../kit/mock-run-context.ts';
import { createPostgresDatabase, postgresUnavailable, type ScratchDatabase } from '../../kit/services.ts';
import { assertCompleted, createHarness, openPostgres, planOf, readTable } from './bulk-test-kit.ts';
import { type RangeProgress, recordingStore, rowsCopiedAgain } from './range-checkpoints.ts';

const unavailable = await postgresUnavailable();

describe('bulk engine: parallel ranges of one big table', { skip: unavailable }, () => {
  let sourceDatabase: ScratchDatabase;
  let destinationDatabase: ScratchDatabase;
  let source: PostgresConnection;
  let destination: PostgresConnection;
  let sourceSql: pg.Pool;
  let destinationSql: pg.Pool;
  const rows = 30_000;

  before(async () => {
    [sourceDatabase, destinationDatabase] = await Promise.all([
      createPostgresDatabase('ferry_ranges_src'),
      createPostgresDatabase('ferry_ranges_dst'),
    ]);
    sourceSql = new pg.Pool({ connectionString: sourceDatabase.url, max: 2 });
    destinationSql = new pg.Pool({ connectionString: destinationDatabase.url, max: 2 });
    await sourceSql.query(
      `create table items (id bigint primary key, name text not null, amount numeric(12,2), updated_at timestamptz not null);
       insert into items select i, 'item ' || i, i * 0.5, timestamptz '2026-01-01' + (i % 997) * interval '1 minute'
         from generate_series(1, ${rows}) i;
       analyze items;
       create table coded (code text primary key, n int not null);
       insert into coded select md5(i::text), i from generate_series(1, ${rows}) i;
       analyze coded;`,
    );
    source = openPostgres(sourceDatabase);
    destination = openPostgres(destinationDatabase);
  });
  after(async () => {
    await Promise.all([source?.close(), destination?.close(), sourceSql?.end(), destinationSql?.end()]);
    await Promise.all([sourceDatabase?.drop(), destinationDatabase?.drop()]);
  });

  const sizes = { copyChunkSize: 2_000, rangeParallelism: 3, splitAboveRows: 10_000 };

  async function count(table: string, distinct = 'id'): Promise<{ rows: number; keys: number }> {
    const { rows: found } = await destinationSql.query(
      `select count(*)::int as rows, count(distinct ${distinct})::int as keys from ${table}`,
    );
    return found[0];
  }

  test('an integer key is cut into ranges copied at once; the destination equals the source', async () => {
    const { store, saves } = recordingStore(createMemoryCheckpointStore());
    const result = await createHarness(store).run(
      planOf(source, destination, {
        syncId: 'ranges-integer',
        schemas: [{ schemaId: 'public.items', outputName: 'items_ranged' }],
        ...sizes,
      }),
    );
    assertCompleted(result);
    assert.equal(result.schemas[0]!.path, 'copy_binary');
    assert.equal(result.recordCount, rows);
    assert.deepEqual(
      await readTable(destination.bulkSource, 'items_ranged', 'id'),
      await readTable(source.bulkSource, 'public.items', 'id'),
    );
    const progress = saves
      .map((save) => save.cursor as RangeProgress | null)
      .filter((cursor) => cursor?.kind === 'copy_ranges');
    assert.ok(progress.length >= rows / sizes.copyChunkSize, 'a checkpoint after every committed chunk');
    assert.equal(progress[0]!.ranges.length, 3, 'three ranges');
    // The ranges ran at once: some checkpoint shows every range started and none finished.
    assert.ok(
      progress.some((cursor) => cursor!.ranges.every((range) => range.after !== null && !range.done)),
      'all three ranges in progress at the same time',
    );
    const final = saves.at(-1)!;
    assert.equal(final.phase, 'completed');
    assert.equal(String(final.cursor), String(rows), 'the last checkpoint holds the largest key, as a plain value');
  });

  test('a text key is cut at the planner histogram bounds', async () => {
    const { store, saves } = recordingStore(createMemoryCheckpointStore());
    const result = await createHarness(store).run(
      planOf(source, destination, {
        syncId: 'ranges-text',
        schemas: [{ schemaId: 'public.coded', outputName: 'coded_ranged' }],
        ...sizes,
      }),
    );
    assertCompleted(result);
    assert.deepEqual(await count('coded_ranged', 'code'), { rows, keys: rows });
    const ranged = saves.find((save) => (save.cursor as RangeProgress | null)?.kind === 'copy_ranges');
    assert.equal((ranged!.cursor as RangeProgress).ranges.length, 3);
  });

  test('below the threshold, or with one range allowed, the copy is one stream as before', async () => {
    for (const [name, overrides] of [
      ['small', { splitAboveRows: rows }],
      ['single', { rangeParallelism: 1 }],
    ] as const) {
      const { store, saves } = recordingStore(createMemoryCheckpointStore());
      const result = await createHarness(store).run(
        planOf(source, destination, {
          syncId: `ranges-${name}`,
          schemas: [{ schemaId: 'public.items', outputName: `items_${name}` }],
          ...sizes,
          ...overrides,
        }),
      );
      assertCompleted(result);
      assert.ok(
        saves.every((save) => (save.cursor as RangeProgress | null)?.kind !== 'copy_ranges'),
        `${name}: no ranges`,
      );
      assert.deepEqual(await count(`items_${name}`), { rows, keys: rows });
    }
  });

  test('a crash between a commit and its checkpoint resumes only the unfinished ranges, with no row lost or doubled', async () => {
    const inner = createMemoryCheckpointStore();
    const first = createMockRunContext();
    const plan = planOf(source, destination, {
      syncId: 'ranges-crash',
      schemas: [{ schemaId: 'public.items', outputName: 'items_resumed', trackingField: 'updated_at' }],
      ...sizes,
    });
    const crashing = recordingStore(inner, { save: 7, abort: () => first.abort() });
    const interrupted = await createHarness(crashing.store).run(plan, first);
    assert.notEqual(interrupted.status, 'completed');
    assert.ok(
      crashing.saves.some((save) => (save.cursor as RangeProgress | null)?.kind === 'copy_ranges'),
      'the interrupted copy ran in ranges (of the tracking field, at its histogram bounds)',
    );
    const partial = await count('items_resumed');
    assert.ok(partial.rows > 0 && partial.rows < rows, `a partial copy: ${partial.rows} rows`);

    const resuming = recordingStore(inner);
    const resumed = await createHarness(resuming.store).run(plan);
    assertCompleted(resumed);
    assert.deepEqual(await count('items_resumed'), { rows, keys: rows });
    const copiedAgain = rowsCopiedAgain(crashing.saves, resuming.saves);
    assert.ok(copiedAgain < rows, `the resumed attempt copied ${copiedAgain} rows, not the whole table again`);

    // The next execution continues incrementally from the largest tracking value, as after one stream.
    await sourceSql.query(
      `update items set name = 'changed', updated_at = timestamptz '2026-02-01' where id in (5, 25000)`,
    );
    const next = await createHarness(inner).run({ ...plan, executionId: 'ranges-crash-next' });
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
