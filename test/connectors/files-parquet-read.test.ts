// Reading a Parquet file whose row groups are much larger than a batch (DuckDB writes 122,880 rows per group): every
// row comes back exactly once, in file order, in batches no larger than asked, across row-group and page boundaries;
// and while reading, memory holds a row group's columns, not one object per row of the group.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Connection } from '../../src/connectors/connector.ts';
import { createFilesConnector } from '../../src/connectors/files/files-connector.ts';
import { decodeParquetValue } from '../../src/connectors/files/parquet-codec.ts';
import { silentLogger } from '../../src/domain/run-context.ts';
import { peakRetainedHeap } from '../kit/retained-heap.ts';

const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
let directory: string;
let connection: Connection;

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'ferry-parquet-read-'));
  connection = createFilesConnector().open({ path: directory, format: 'parquet' });
});
after(() => rmSync(directory, { recursive: true, force: true }));

const base = Date.UTC(2026, 0, 1);

function expectedRow(id: number) {
  return {
    id: String(id),
    name: id % 7 === 0 ? null : `name ${id}`,
    score: id / 4,
    at: `${new Date(base + id * 1000).toISOString().slice(0, 19)}.${String(id % 1_000_000).padStart(6, '0')}Z`,
  };
}

test('a file of large row groups and small pages reads back every row once, in order, in bounded batches', async () => {
  const count = 25_000;
  const ids = Array.from({ length: count }, (_, id) => id);
  const rows = ids.map(expectedRow);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: BigInt64Array.from(ids, BigInt) },
      { name: 'name', data: rows.map((row) => row.name) },
      { name: 'score', data: Float64Array.from(ids, (id) => id / 4) },
      { name: 'at', data: ids.map((id) => BigInt(base + id * 1000) * 1000n + BigInt(id % 1_000_000)) },
    ],
    schema: [
      { name: 'root', num_children: 4 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'score', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      {
        name: 'at',
        type: 'INT64',
        repetition_type: 'OPTIONAL',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      },
    ],
    // Groups that are not multiples of the batch size, and pages far smaller than a group.
    rowGroupSize: 10_007,
    pageSize: 16 * 1024,
  });
  writeFileSync(join(directory, 'wide_groups.parquet'), new Uint8Array(buffer));

  for (const batchSize of [1000, 4096, 30_000]) {
    const seen: unknown[] = [];
    for await (const batch of connection.bulkSource!.read(context, { schemaId: 'wide_groups', batchSize })) {
      assert.ok(batch.length > 0 && batch.length <= batchSize, `batch of ${batch.length} rows (asked ${batchSize})`);
      seen.push(...batch);
    }
    assert.equal(seen.length, count);
    assert.deepEqual(seen, rows, `batchSize ${batchSize}`);
  }

  // Only some fields: the others are not read, the asked ones still line up row by row.
  const projected: unknown[] = [];
  for await (const batch of connection.bulkSource!.read(context, {
    schemaId: 'wide_groups',
    fields: ['at', 'id'],
    batchSize: 999,
  })) {
    projected.push(...batch);
  }
  assert.deepEqual(
    projected,
    rows.map(({ at, id }) => ({ at, id })),
  );
});

test('reading a row group of 200,000 rows does not hold one object per row of the group', async () => {
  const count = 200_000;
  const columns = Array.from({ length: 8 }, (_, index) => `v${index}`);
  const buffer = parquetWriteBuffer({
    columnData: [
      {
        name: 'id',
        data: BigInt64Array.from({ length: count }, (_, id) => BigInt(id)),
        type: 'INT64',
        nullable: false,
      },
      ...columns.map((name, index) => ({
        name,
        data: Float64Array.from({ length: count }, (_, id) => id + index / 10),
        type: 'DOUBLE' as const,
        nullable: false,
      })),
    ],
    rowGroupSize: count,
  });
  writeFileSync(join(directory, 'one_group.parquet'), new Uint8Array(buffer));

  const { seen, peak } = await peakRetainedHeap(
    connection.bulkSource!.read(context, { schemaId: 'one_group', batchSize: 1000 }),
    { every: 10, onBatch: (batch, seenBefore) => assert.equal(batch[0]!.id, String(seenBefore)) },
  );
  assert.equal(seen, count);
  // The group's columns are typed arrays (their bytes outside the JS heap) read one page behind the other; as one
  // object per row of the group, with each number boxed, they held about 54 MB of heap.
  assert.ok(peak < 20 * 1024 * 1024, `retained ${Math.round(peak / 1024 / 1024)} MB while reading`);
});

test('timestamps and dates read as the ISO text Date gives, across days, years 0000–9999 and beyond', () => {
  // The reference: whole seconds through Date, then six fraction digits (floor, also before 1970).
  const reference = (micros: bigint, zoned: boolean) => {
    const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
    const fraction = String(micros - seconds * 1_000_000n).padStart(6, '0');
    return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}${zoned ? 'Z' : ''}`;
  };
  const values = [0n, -1n, 1n, 999_999n, -1_000_001n, -62_167_219_200_000_001n, 253_402_300_800_000_000n];
  for (let index = 0; index < 20_000; index += 1) {
    const span = [1e6, 1e12, 1e15, 3e17][index % 4]!;
    values.push(BigInt(Math.floor((Math.random() * 2 - 1) * span)));
  }
  for (const micros of values) {
    assert.equal(decodeParquetValue('timestamp', micros, undefined), reference(micros, true));
    assert.equal(decodeParquetValue('timestamp_naive', micros, undefined), reference(micros, false));
    const days = Number(micros / 86_400_000_000n);
    assert.equal(
      decodeParquetValue('date', days, undefined),
      reference(BigInt(days) * 86_400_000_000n, false).slice(0, 10),
    );
  }
});
