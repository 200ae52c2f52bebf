// CSV through csv-parse / csv-stringify, streamed. CSV has no types: a null is an unquoted empty
// field and an empty string is `""`, so the two survive a round trip; other values are text in
// Ferry's conventions (JSON as JSON text, binary as base64, booleans as true/false).
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { canceledError, ConnectorError } from '../connector-error.ts';
import type { Row } from '../records.ts';
import { createTextKindTally, inferenceSampleRows } from './file-kind-inference.ts';
import type { FileColumn, FileFormat } from './file-format.ts';
import type { FileKind } from './file-kinds.ts';
import { endsWithLineBreak } from './line-break.ts';
import { toNaiveIso, toUtcIso } from '../temporal-values.ts';

export interface CsvOptions {
  hasHeaders: boolean;
  delimiter: string;
}

function openParser(path: string, options: CsvOptions) {
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    relax_column_count: true,
    // Keep the null / empty-string distinction: only an unquoted empty field is null.
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  });
  const input = createReadStream(path);
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  return {
    parser,
    close: () => {
      input.destroy();
      parser.destroy();
    },
  };
}

function headerIds(first: (string | null)[], options: CsvOptions): string[] {
  return options.hasHeaders
    ? first.map((name, index) => name ?? `column_${index + 1}`)
    : first.map((_, index) => `column_${index + 1}`);
}

function decodeCsvText(kind: FileKind, text: string | null): unknown {
  if (text === null || (text === '' && kind !== 'string')) return null;
  try {
    switch (kind) {
      case 'integer': {
        const number = Number(text);
        return Number.isSafeInteger(number) ? number : text;
      }
      case 'double':
        return Number.isNaN(Number(text)) ? text : Number(text);
      case 'boolean':
        return /^(true|t|1|yes)$/i.test(text) ? true : /^(false|f|0|no)$/i.test(text) ? false : text;
      case 'timestamp':
        return toUtcIso(text);
      case 'timestamp_naive':
        return toNaiveIso(text);
      case 'json':
      case 'array':
        return JSON.parse(text);
      case 'binary':
        return Buffer.from(text, 'base64');
      default:
        return text;
    }
  } catch {
    return text; // a row past the inference sample that does not fit its column: keep the text
  }
}

function encodeCsvText(kind: FileKind, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (kind === 'json' || kind === 'array' || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function createCsvFormat(options: CsvOptions): FileFormat {
  const stringifyOptions = { delimiter: options.delimiter, quoted_string: true, eof: true } as const;
  const encode = (columns: FileColumn[], row: Row) =>
    columns.map((column) => encodeCsvText(column.kind, row[column.id]));

  return {
    extension: 'csv',
    async inspect(path, signal) {
      const { parser, close } = openParser(path, options);
      try {
        let ids: string[] | undefined;
        let tallies: ReturnType<typeof createTextKindTally>[] = [];
        let seen = 0;
        for await (const record of parser as AsyncIterable<(string | null)[]>) {
          if (signal.aborted) throw canceledError(signal);
          if (!ids) {
            ids = headerIds(record, options);
            tallies = ids.map(() => createTextKindTally());
            if (options.hasHeaders) continue;
          }
          for (const [index, value] of record.entries()) tallies[index]?.add(value);
          for (let index = record.length; index < tallies.length; index += 1) tallies[index].add(null);
          seen += 1;
          if (seen >= inferenceSampleRows) break;
        }
        return (ids ?? []).map((id, index) => ({ id, kind: tallies[index].kind, nullable: tallies[index].sawNull }));
      } finally {
        close();
      }
    },

    async *readChunks(path, columns, { signal, chunkRows }) {
      const { parser, close } = openParser(path, options);
      try {
        let positions: { column: FileColumn; index: number }[] | undefined;
        let chunk: Row[] = [];
        for await (const record of parser as AsyncIterable<(string | null)[]>) {
          if (signal.aborted) throw canceledError(signal);
          if (!positions) {
            const ids = headerIds(record, options);
            positions = columns.map((column) => ({ column, index: ids.indexOf(column.id) }));
            if (options.hasHeaders) continue;
          }
          const row: Row = {};
          for (const { column, index } of positions)
            row[column.id] = index < 0 ? null : decodeCsvText(column.kind, record[index] ?? null);
          chunk.push(row);
          if (chunk.length >= chunkRows) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length > 0) yield chunk;
      } catch (error: unknown) {
        if (error instanceof ConnectorError) throw error;
        throw new ConnectorError(`Cannot parse CSV file ${path}: ${(error as Error).message}`, {
          code: 'invalid_data',
          cause: error,
        });
      } finally {
        close();
      }
    },

    async writeFile(path, columns, chunks) {
      const header = options.hasHeaders ? [columns.map((column) => column.id)] : [];
      async function* records() {
        yield* header;
        for await (const chunk of chunks) for (const row of chunk) yield encode(columns, row);
      }
      await pipeline(Readable.from(records()), stringify(stringifyOptions), createWriteStream(path));
    },

    async appendRows(path, columns, rows, beforeChange) {
      const { size } = await stat(path);
      const lead: string[][] = size === 0 && options.hasHeaders ? [columns.map((column) => column.id)] : [];
      await beforeChange(size);
      const output = createWriteStream(path, { flags: 'a' });
      // A file written elsewhere may lack its final line break; the first appended record must not
      // continue its last line.
      if (size > 0 && !(await endsWithLineBreak(path, size))) output.write('\n');
      async function* records() {
        yield* lead;
        for (const row of rows) yield encode(columns, row);
      }
      await pipeline(Readable.from(records()), stringify(stringifyOptions), output);
    },
  };
}
