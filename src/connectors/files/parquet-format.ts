// Parquet through hyparquet (read one row group at a time) and hyparquet-writer (one row group per
// `parquetRowGroupRows` rows). A Parquet file cannot be appended to, so there is no appendRows: the
// table store rewrites the file (files-table-store.ts documents the cost).
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { canceledError } from '../connector-error.ts';
import type { Row } from '../records.ts';
import type { FileFormat } from './file-format.ts';
import {
  decodeParquetValue,
  encodeParquetValue,
  kindOfParquetColumn,
  parquetElementFor,
  readParsers,
  withRawDecimals,
} from './parquet-codec.ts';

/** Rows per written row group: large enough for good compression, small enough to hold in memory. */
const parquetRowGroupRows = 10_000;

export function createParquetFormat(): FileFormat {
  return {
    extension: 'parquet',
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
      const present = new Set(parquetSchema(metadata).children.map((node) => node.element.name));
      const wanted = columns.filter((column) => present.has(column.id) && (!only || only.includes(column.id)));
      let rowStart = 0;
      for (const rowGroup of metadata.row_groups) {
        const rowEnd = rowStart + Number(rowGroup.num_rows);
        if (signal.aborted) throw canceledError(signal);
        let rows: Row[] = [];
        await parquetRead({
          file,
          metadata,
          columns: wanted.map((column) => column.id),
          rowStart,
          rowEnd,
          rowFormat: 'object',
          // Unannotated BYTE_ARRAY is binary; hyparquet would otherwise guess UTF-8 text.
          utf8: false,
          parsers: readParsers,
          onComplete: (data) => {
            rows = data as Row[];
          },
        });
        rowStart = rowEnd;
        for (let offset = 0; offset < rows.length; offset += chunkRows) {
          if (signal.aborted) throw canceledError(signal);
          yield rows.slice(offset, offset + chunkRows).map((raw) => {
            const row: Row = {};
            for (const column of columns)
              row[column.id] = decodeParquetValue(column.kind, raw[column.id], scales.get(column.id));
            return row;
          });
        }
      }
    },

    async writeFile(path, columns, chunks) {
      const schema = [
        { name: 'root', num_children: columns.length },
        ...columns.map((column) => parquetElementFor(column.id, column.kind)),
      ];
      const writer = new ParquetWriter({ writer: fileWriter(path), schema });
      let pending: Row[] = [];
      const flush = async () => {
        if (pending.length === 0) return;
        const columnData = columns.map((column) => ({
          name: column.id,
          data: pending.map((row) => encodeParquetValue(column.kind, row[column.id])),
        }));
        await writer.write({ columnData, rowGroupSize: pending.length });
        pending = [];
      };
      for await (const chunk of chunks) {
        pending.push(...chunk);
        if (pending.length >= parquetRowGroupRows) await flush();
      }
      await flush();
      writer.finish();
    },
  };
}
