// Reading Parquet column chunks a batch of rows at a time: every value comes back as hyparquet's whole-page reader
// makes it (version 1 and 2 pages, PLAIN and dictionary encodings, nulls, booleans, compressed or not, many pages or
// one, nested columns beside flat ones, text decoded straight from the page as TextDecoder decodes it), and a row
// group written as one page per column (as DuckDB writes them) is read without holding every value of the group on
// the heap.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Connection } from '../../src/connectors/connector.ts';
import { createFilesConnector } from '../../src/connectors/files/files-connector.ts';
import {
  decodeParquetValue,
  kindOfParquetColumn,
  readParsers,
  withRawDecimals,
} from '../../src/connectors/files/parquet-codec.ts';
import { textValues } from '../../src/connectors/files/parquet-column-cursor.ts';
import { silentLogger } from '../../src/domain/run-context.ts';
import { peakRetainedHeap } from '../kit/retained-heap.ts';

const context = { signal: new AbortController().signal, log: silentLogger, heartbeat() {} };
let directory: string;
let connection: Connection;

before(() => {
  directory = mkdtempSync(join(tmpdir(), 'ferry-parquet-pages-'));
  connection = createFilesConnector().open({ path: directory, format: 'parquet' });
});
after(() => rmSync(directory, { recursive: true, force: true }));

async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  try {
    await duck.run(sql);
  } finally {
    duck.closeSync();
  }
}

/** The file's rows as hyparquet's own reader decodes whole row groups, in Ferry's conventions. */
async function wholePageRows(path: string): Promise<Record<string, unknown>[]> {
  const file = await asyncBufferFromFile(path);
  const stored = await parquetMetadataAsync(file);
  const kinds = new Map(parquetSchema(stored).children.map((node) => [node.element.name, kindOfParquetColumn(node)]));
  const { metadata, scales } = withRawDecimals(stored);
  const rows = await parquetReadObjects({ file, metadata, utf8: false, parsers: readParsers });
  return rows.map((row) =>
    Object.fromEntries([...kinds].map(([name, kind]) => [name, decodeParquetValue(kind, row[name], scales.get(name))])),
  );
}

async function readAll(schemaId: string, batchSize: number): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const batch of connection.bulkSource!.read(context, { schemaId, batchSize })) seen.push(...batch);
  return seen;
}

const duckdbRows = `
  select i as id,
         case when i % 5 = 0 then null else 'text ' || i || ' ' || md5(i::varchar) end as unique_text,
         'tier ' || (i % 7) as few_texts,
         case when i % 4 = 0 then null else i % 3 = 0 end as flag,
         (i % 1000)::integer as small,
         i / 7.0 as ratio,
         (i * 1.37)::decimal(14, 2) as amount,
         (i * 12345678901)::decimal(30, 4) as wide_amount,
         timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second' as at,
         case when i % 9 = 0 then null else date '1970-01-01' + (i % 20000)::integer end as day,
         json_object('tier', i % 5, 'tag', 'a' || (i % 13)) as doc,
         case when i % 10 = 0 then null else json_object('id', i, 'name', 'n' || i) end as unique_doc,
         case when i % 6 = 0 then null else encode('bytes ' || i) end as payload,
         case when i % 8 = 0 then null else [i, i + 1] end as pair
  from range(1, 70001) t(i)`;

for (const [name, options] of [
  ['v1_snappy', 'ROW_GROUP_SIZE 30000'],
  ['v2_snappy', 'ROW_GROUP_SIZE 30000, PARQUET_VERSION V2'],
  ['v1_uncompressed', "ROW_GROUP_SIZE 50000, COMPRESSION 'uncompressed'"],
  ['v2_uncompressed', "ROW_GROUP_SIZE 50000, COMPRESSION 'uncompressed', PARQUET_VERSION V2"],
] as const) {
  test(`a DuckDB file (${name.replace('_', ' pages, ')}) reads every value as hyparquet's whole-page reader`, async () => {
    const path = join(directory, `${name}.parquet`);
    await duckdb(`copy (${duckdbRows}) to '${path}' (format parquet, ${options})`);
    const expected = await wholePageRows(path);
    assert.equal(expected.length, 70_000);
    // A null, a dictionary value and a list in the first rows, so that the comparison is not of empty columns.
    assert.deepEqual(
      [expected[4]!.unique_text, expected[0]!.few_texts, expected[0]!.pair, expected[0]!.unique_doc],
      [null, 'tier 1', [1n, 2n], { id: 1, name: 'n1' }],
    );
    for (const batchSize of [4096, 30_000]) assert.deepEqual(await readAll(name, batchSize), expected, `${batchSize}`);
  });
}

test('a file of many small pages with nulls and dictionaries reads as hyparquet reads it', async () => {
  const count = 20_000;
  const ids = Array.from({ length: count }, (_, id) => id);
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: BigInt64Array.from(ids, BigInt) },
      { name: 'text', data: ids.map((id) => (id % 3 === 0 ? null : `value ${id} ${'x'.repeat(id % 50)}`)) },
      { name: 'label', data: ids.map((id) => (id % 11 === 0 ? null : `label ${id % 4}`)) },
      { name: 'flag', data: ids.map((id) => (id % 5 === 0 ? null : id % 2 === 0)) },
    ],
    schema: [
      { name: 'root', num_children: 4 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
      { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'flag', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
    ],
    rowGroupSize: 7_001,
    pageSize: 4 * 1024,
  });
  writeFileSync(join(directory, 'small_pages.parquet'), new Uint8Array(buffer));
  const expected = await wholePageRows(join(directory, 'small_pages.parquet'));
  assert.equal(expected[1]!.text, `value 1 ${'x'}`);
  for (const batchSize of [1, 999, 7_001, 50_000])
    assert.deepEqual(await readAll('small_pages', batchSize), expected, `${batchSize}`);
});

test('a row group of 200,000 rows in one page per column is read without its values on the heap', async () => {
  const count = 200_000;
  const ids = Array.from({ length: count }, (_, id) => id);
  const texts = ['name', 'email', 'notes'];
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: BigInt64Array.from(ids, BigInt), type: 'INT64', nullable: false },
      ...texts.map((name) => ({
        name,
        data: ids.map((id) => `${name} ${id} ${(id * 2654435761) % 4294967296}`),
        type: 'STRING' as const,
        nullable: false,
        encoding: 'PLAIN' as const,
      })),
    ],
    rowGroupSize: count,
    pageSize: 1 << 30,
  });
  writeFileSync(join(directory, 'one_page.parquet'), new Uint8Array(buffer));
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(join(directory, 'one_page.parquet')));
  assert.equal(metadata.row_groups.length, 1);

  const { seen, peak } = await peakRetainedHeap(
    connection.bulkSource!.read(context, { schemaId: 'one_page', batchSize: 1000 }),
    {
      every: 10,
      onBatch: (batch, seenBefore) =>
        assert.equal(batch[0]!.email, `email ${seenBefore} ${(seenBefore * 2654435761) % 4294967296}`),
    },
  );
  assert.equal(seen, count);
  // The pages' bytes sit outside the JS heap and a batch's text is made when the batch is; decoded whole, the
  // group's 600,000 strings kept about 40 MB of heap alive until the group was read.
  assert.ok(peak < 12 * 1024 * 1024, `retained ${Math.round(peak / 1024 / 1024)} MB while reading`);
});

test('text cut straight out of a page decodes as TextDecoder decodes it, invalid bytes and byte order marks included', () => {
  const decoder = new TextDecoder();
  fc.assert(
    fc.property(
      fc.array(
        fc.oneof(
          fc.uint8Array({ maxLength: 12 }),
          fc.string({ unit: 'grapheme', maxLength: 8 }).map((text) => new TextEncoder().encode(`\uFEFF${text}`)),
          fc.string({ unit: 'binary', maxLength: 8 }).map((text) => new TextEncoder().encode(text)),
        ),
        { maxLength: 20 },
      ),
      (values) => {
        const page = Buffer.concat(
          values.flatMap((value) => {
            const length = Buffer.alloc(4);
            length.writeUInt32LE(value.length);
            return [length, value];
          }),
        );
        const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
        const decoded = textValues(reader, 'text').next(values.length);
        assert.deepEqual(
          decoded,
          values.map((value) => decoder.decode(value)),
        );
        assert.equal(reader.offset, page.length);
      },
    ),
    { numRuns: 2000 },
  );
});
