// Parquet through hyparquet (read one row group at a time, column by column) and hyparquet-writer (one row group per
// `parquetRowGroupRows` rows). Appending adds row groups: a Parquet file is its row groups followed by a footer that
// lists them, so the rows are encoded after the old row groups (and their page indexes, which stay where they are),
// in place of the old footer, and a new footer lists the old row groups and the new ones. The existing rows are
// neither read nor re-encoded. Only files whose schema is exactly what Ferry writes for the table's columns take
// appended rows; any other file (written by another tool) is rewritten by the table store.
import { open, stat } from 'node:fs/promises';
import {
  asyncBufferFromFile,
  type FileMetaData,
  type ParquetParsers,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type ColumnMetaData,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { getTreePath, isFlatColumn } from 'hyparquet/src/schema.js';
import { ByteWriter, fileWriter, ParquetWriter } from 'hyparquet-writer';
import { canceledError } from '../connector-error.ts';
import type { Row } from '../records.ts';
import type { FileColumn, FileFormat } from './file-format.ts';
import {
  decodeParquetValue,
  encodeParquetValue,
  kindOfParquetColumn,
  parquetElementFor,
  readParsers,
  withRawDecimals,
} from './parquet-codec.ts';
import { type ColumnDecoder, ParquetColumnCursor } from './parquet-column-cursor.ts';

/**
 * Rows per written row group, by a rewrite and by each appended batch (the batch size the format asks bulk copies
 * for): each append is one row group and rewrites the footer that lists every row group, so the engine's default
 * 5,000-row batches made 200 row groups a million rows, footers growing with them, and twice the appends. Larger
 * groups would compress and append better still, but a batch is held whole while hyparquet-writer encodes it: 20,000
 * rows put a copy from PostgreSQL at 435 MB, 50,000 at 861 MB.
 */
const parquetRowGroupRows = 10_000;

/** Parquet's magic number, "PAR1", as hyparquet-writer appends it (little-endian uint32). */
const parquetMagic = 0x31524150;

function schemaFor(columns: FileColumn[]): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((column) => parquetElementFor(column.id, column.kind)),
  ];
}

/** The parts of a schema element that decide how values are stored (a read-back element carries more fields). */
function storage(element: SchemaElement): string {
  const { name, type, repetition_type, converted_type, logical_type, num_children } = element;
  return JSON.stringify({ name, type, repetition_type, converted_type, logical_type, num_children });
}

function writesLike(metadata: FileMetaData, columns: FileColumn[]): boolean {
  const expected = schemaFor(columns);
  return (
    metadata.schema.length === expected.length &&
    metadata.schema.every((element, index) => storage(element) === storage(expected[index]!))
  );
}

/**
 * Metadata parsers that keep statistics as stored, so that the old row groups' min and max survive the footer's
 * rewrite exactly (the defaults turn timestamps into millisecond Dates and bytes into text).
 */
const storedStatistics: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (value) => value,
  timestampFromMicroseconds: (value) => value,
  timestampFromNanoseconds: (value) => value,
  dateFromDays: (value) => value,
  stringFromBytes: (value) => value,
};

function columnDataOf(columns: FileColumn[], rows: Row[]) {
  return columns.map((column) => ({
    name: column.id,
    data: rows.map((row) => encodeParquetValue(column.kind, row[column.id])),
  }));
}

/**
 * One column of one row group as hyparquet decodes it: pages of values, each starting at an absolute row. Rows are
 * asked for in ascending order; a page is let go once the reader has passed it.
 */
class ColumnPages {
  private readonly pages: { start: number; end: number; values: ArrayLike<unknown> | undefined }[] = [];
  private current = 0;

  add(start: number, values: ArrayLike<unknown>): void {
    const page = { start, end: start + values.length, values };
    // hyparquet reports a column's pages in order; a later page starting earlier would be a surprise, kept correct.
    const last = this.pages.at(-1);
    this.pages.push(page);
    if (last && start < last.start) this.pages.sort((left, right) => left.start - right.start);
  }

  /** The value at absolute row `row`, or undefined when no page holds it. */
  at(row: number): unknown {
    let page = this.pages[this.current];
    while (page && row >= page.end) {
      page.values = undefined;
      this.current += 1;
      page = this.pages[this.current];
    }
    return page && row >= page.start ? page.values?.[row - page.start] : undefined;
  }
}

/** What hyparquet's decoding pieces need to know of one column chunk, set as its own reader sets it. */
function columnDecoder(schema: SchemaTree, meta: ColumnMetaData): ColumnDecoder {
  const schemaPath = getTreePath(schema, meta.path_in_schema);
  return {
    pathInSchema: meta.path_in_schema,
    type: meta.type,
    element: schemaPath.at(-1)!.element,
    schemaPath,
    codec: meta.codec,
    // Unannotated BYTE_ARRAY is binary; hyparquet would otherwise guess UTF-8 text.
    utf8: false,
    parsers: { ...DEFAULT_PARSERS, ...readParsers },
  };
}

export function createParquetFormat(): FileFormat {
  return {
    extension: 'parquet',
    preferredAppendRows: parquetRowGroupRows,
    async inspect(path) {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
      return parquetSchema(metadata).children.map((node) => ({
        id: node.element.name,
        kind: kindOfParquetColumn(node),
        nullable: node.element.repetition_type !== 'REQUIRED',
      }));
    },

    async *readChunks(path, columns, { signal, chunkRows, only }) {
      if (signal.aborted) throw canceledError(signal);
      const file = await asyncBufferFromFile(path);
      const { metadata, scales } = withRawDecimals(await parquetMetadataAsync(file));
      const schema = parquetSchema(metadata);
      const present = new Set(schema.children.map((node) => node.element.name));
      const wanted = columns.filter((column) => present.has(column.id) && (!only || only.includes(column.id)));
      const flat = new Set(
        wanted.filter((column) => isFlatColumn(getTreePath(schema, [column.id]))).map((column) => column.id),
      );
      const nested = wanted.filter((column) => !flat.has(column.id)).map((column) => column.id);
      let rowStart = 0;
      for (const rowGroup of metadata.row_groups) {
        const rowEnd = rowStart + Number(rowGroup.num_rows);
        if (signal.aborted) throw canceledError(signal);
        // A flat column is read from its chunk's bytes a chunk of rows at a time (ParquetColumnCursor); a nested one
        // arrives whole from hyparquet, column by column (typed arrays where the type allows), not as one object per
        // row. Row objects are built one chunk at a time.
        const cursors = new Map<string, ParquetColumnCursor>();
        for (const chunk of rowGroup.columns) {
          const meta = chunk.meta_data;
          const name = meta?.path_in_schema[0];
          if (!meta || name === undefined || !flat.has(name) || meta.path_in_schema.length !== 1) continue;
          const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
          const bytes = new Uint8Array(await file.slice(start, start + Number(meta.total_compressed_size)));
          cursors.set(name, new ParquetColumnCursor(bytes, columnDecoder(schema, meta)));
        }
        const pages = new Map<string, ColumnPages>(nested.map((column) => [column, new ColumnPages()]));
        if (nested.length > 0) {
          await parquetRead({
            file,
            metadata,
            columns: nested,
            rowStart,
            rowEnd,
            // Unannotated BYTE_ARRAY is binary; hyparquet would otherwise guess UTF-8 text.
            utf8: false,
            parsers: readParsers,
            onChunk: (chunk) => pages.get(chunk.columnName)?.add(chunk.rowStart, chunk.columnData),
          });
        }
        const readers = columns.map((column) => ({
          id: column.id,
          kind: column.kind,
          scale: scales.get(column.id),
          cursor: cursors.get(column.id),
          pages: pages.get(column.id),
        }));
        for (let offset = rowStart; offset < rowEnd; offset += chunkRows) {
          if (signal.aborted) throw canceledError(signal);
          const end = Math.min(offset + chunkRows, rowEnd);
          const runs = readers.map((reader) => reader.cursor?.take(end - offset));
          const chunk: Row[] = new Array(end - offset);
          for (let index = offset; index < end; index += 1) {
            const row: Row = {};
            for (let column = 0; column < readers.length; column += 1) {
              const reader = readers[column]!;
              const raw = reader.cursor ? runs[column]![index - offset] : reader.pages?.at(index);
              row[reader.id] = decodeParquetValue(reader.kind, raw, reader.scale);
            }
            chunk[index - offset] = row;
          }
          yield chunk;
        }
        rowStart = rowEnd;
      }
    },

    async writeFile(path, columns, chunks) {
      const writer = new ParquetWriter({ writer: fileWriter(path), schema: schemaFor(columns) });
      let pending: Row[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        await writer.write({ columnData: columnDataOf(columns, pending), rowGroupSize: pending.length });
        pending = [];
      };
      for await (const chunk of chunks) {
        pending.push(...chunk);
        if (pending.length >= parquetRowGroupRows) await flush();
      }
      await flush();
      writer.finish();
    },

    async holdsAnyKey(path, column, keys) {
      if (column.kind !== 'integer' && column.kind !== 'bigint' && column.kind !== 'string') return undefined;
      if (keys.length === 0) return false;
      const wanted = keys.map((key) => encodeParquetValue(column.kind, key) as bigint | string | null);
      if (wanted.includes(null)) return undefined;
      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file, { parsers: storedStatistics });
      const index = parquetSchema(metadata).children.findIndex((node) => node.element.name === column.id);
      if (index < 0) return false;
      // Integer statistics compare exactly (text statistics may be truncated and order bytes, not UTF-16 units).
      let low: bigint | undefined;
      let high: bigint | undefined;
      if (column.kind !== 'string') {
        for (const key of wanted as bigint[]) {
          if (low === undefined || key < low) low = key;
          if (high === undefined || key > high) high = key;
        }
      }
      const lookedFor = new Set(wanted.map(String));
      let rowStart = 0;
      for (const rowGroup of metadata.row_groups) {
        const rowEnd = rowStart + Number(rowGroup.num_rows);
        const statistics = rowGroup.columns[index]?.meta_data?.statistics;
        const min = statistics?.min_value ?? statistics?.min;
        const max = statistics?.max_value ?? statistics?.max;
        const excluded =
          low !== undefined &&
          high !== undefined &&
          typeof min === 'bigint' &&
          typeof max === 'bigint' &&
          (high < min || low > max);
        if (!excluded) {
          let values: unknown[] = [];
          await parquetRead({
            file,
            metadata,
            columns: [column.id],
            rowStart,
            rowEnd,
            rowFormat: 'array',
            parsers: readParsers,
            onComplete: (data) => {
              values = (data as unknown[][]).map((row) => row[0]);
            },
          });
          if (values.some((value) => value !== null && lookedFor.has(String(value)))) return true;
        }
        rowStart = rowEnd;
      }
      return false;
    },

    async appendable(path, columns) {
      return writesLike(await parquetMetadataAsync(await asyncBufferFromFile(path)), columns);
    },

    async appendRows(path, columns, rows, beforeChange) {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path), { parsers: storedStatistics });
      if (!writesLike(metadata, columns)) throw new Error(`${path} has a schema Ferry does not append to`);
      // The footer: the metadata, its 4-byte length and the magic number.
      const footerStart = (await stat(path)).size - 8 - metadata.metadata_length;
      const bytes = new ByteWriter();
      const writer = new ParquetWriter({
        writer: bytes,
        schema: schemaFor(columns),
        ...(metadata.created_by ? { createdBy: metadata.created_by } : {}),
        ...(metadata.key_value_metadata ? { kvMetadata: metadata.key_value_metadata } : {}),
      });
      // The writer opened with the leading magic number, which the file already has: drop it, and count offsets
      // from where the old footer starts, so the new row groups' metadata points into the file.
      bytes.index = 0;
      bytes.offset = footerStart;
      writer.row_groups = [...metadata.row_groups];
      writer.num_rows = metadata.num_rows;
      if (rows.length > 0) await writer.write({ columnData: columnDataOf(columns, rows), rowGroupSize: rows.length });
      writer.finish();
      const tail = bytes.getBytes();
      if (new DataView(tail.buffer, tail.byteOffset + tail.length - 4).getUint32(0, true) !== parquetMagic)
        throw new Error('hyparquet-writer ended the footer without the magic number');
      // The new row groups and footer replace the old footer: everything before it stays as written.
      await beforeChange(footerStart);
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(footerStart);
        await handle.write(tail, 0, tail.length, footerStart);
      } finally {
        await handle.close();
      }
    },
  };
}
