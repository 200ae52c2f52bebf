// What the files connector needs from one on-disk format (csv-format.ts, jsonl-format.ts,
// parquet-format.ts). Formats see rows already normalised to Ferry's conventions (file-kinds.ts)
// and give rows back in the same conventions; tables, sidecars and atomic replacement are
// files-table-store.ts's business, not theirs.
import type { Row } from '../records.ts';
import type { FileKind } from './file-kinds.ts';

export interface FileColumn {
  id: string;
  kind: FileKind;
  nullable: boolean;
}

interface ReadChunkOptions {
  signal: AbortSignal;
  /** Upper bound on rows per chunk (Parquet yields at most one row group, split to this size). */
  chunkRows: number;
  /** Columns the caller needs; formats that can skip the others (Parquet) do. */
  only?: string[];
}

export interface FileFormat {
  readonly extension: string;
  /** Rows per appended batch the format writes best (Parquet: one row group each), when it has a preference. */
  readonly preferredAppendRows?: number;
  /** The file's columns in file order, with kinds from its own schema or inferred from a sample. */
  inspect(path: string, signal: AbortSignal): Promise<FileColumn[]>;
  /** Decoded rows in file order; a column missing from the file reads as null. Memory: one chunk. */
  readChunks(path: string, columns: FileColumn[], options: ReadChunkOptions): AsyncGenerator<Row[]>;
  /** Writes a complete new file at `path` (a temporary name; the caller renames it into place). */
  writeFile(path: string, columns: FileColumn[], chunks: AsyncIterable<Row[]>): Promise<void>;
  /**
   * Appends rows, in place, to a file whose columns are exactly `columns`; absent when the format cannot append. Before
   * it changes a byte it awaits `beforeChange(offset)`: bytes before `offset` stay as they are (the caller keeps the
   * bytes from `offset` on, to put them back if the append is interrupted).
   */
  appendRows?(
    path: string,
    columns: FileColumn[],
    rows: Row[],
    beforeChange: (offset: number) => Promise<void>,
  ): Promise<void>;
  /**
   * When present, whether any row of the file has one of `keys` (values in Ferry's conventions) in `column`; false
   * lets an upsert append instead of rewriting. Parquet answers from row-group statistics where they exclude the keys
   * and reads only that column elsewhere; undefined when it cannot tell for this column's kind.
   */
  holdsAnyKey?(path: string, column: FileColumn, keys: unknown[]): Promise<boolean | undefined>;
  /** When present, whether this file takes appended rows (Parquet: only a file of the schema Ferry writes). */
  appendable?(path: string, columns: FileColumn[]): Promise<boolean>;
}
