// JSON Lines: one JSON object per line, read line by line with readline (memory: one chunk of rows).
// JSON has no exact decimals, 64-bit integers or bytes, so those travel as strings: decimals and
// bigints as decimal text, binary as base64; the declared kind (sidecar) turns them back on read.
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { canceledError, ConnectorError } from '../connector-error.ts';
import type { Row } from '../records.ts';
import { toNaiveIso, toUtcIso } from '../temporal-values.ts';
import { createJsonKindTally, inferenceSampleRows, type KindTally } from './file-kind-inference.ts';
import type { FileColumn, FileFormat } from './file-format.ts';
import type { FileKind } from './file-kinds.ts';
import { endsWithLineBreak } from './line-break.ts';

async function* jsonLines(path: string, signal: AbortSignal): AsyncGenerator<Row> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (signal.aborted) throw canceledError(signal);
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error: unknown) {
        throw new ConnectorError(`Line ${lineNumber} of ${path} is not JSON: ${(error as Error).message}`, {
          code: 'invalid_data',
          cause: error,
        });
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ConnectorError(`Line ${lineNumber} of ${path} is not a JSON object`, { code: 'invalid_data' });
      }
      yield value as Row;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

function decodeJsonValue(kind: FileKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bigint':
    case 'decimal':
      return typeof value === 'number' ? String(value) : value;
    case 'timestamp':
      return typeof value === 'string' ? toUtcIso(value) : value;
    case 'timestamp_naive':
      return typeof value === 'string' ? toNaiveIso(value) : value;
    case 'binary':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    default:
      return value;
  }
}

function encodeRow(columns: FileColumn[], row: Row): string {
  const line: Row = {};
  for (const column of columns) {
    const value = row[column.id];
    if (value === undefined) continue;
    line[column.id] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  }
  return `${JSON.stringify(line)}\n`;
}

export function createJsonlFormat(): FileFormat {
  return {
    extension: 'jsonl',
    async inspect(path, signal) {
      const tallies = new Map<string, KindTally>();
      let seen = 0;
      for await (const row of jsonLines(path, signal)) {
        for (const [id, value] of Object.entries(row)) {
          // A field first seen on a later line was missing (null) on the lines before it.
          if (!tallies.has(id)) {
            const tally = createJsonKindTally();
            if (seen > 0) tally.add(null);
            tallies.set(id, tally);
          }
          tallies.get(id)!.add(value);
        }
        for (const [id, tally] of tallies) if (!(id in row)) tally.add(null);
        seen += 1;
        if (seen >= inferenceSampleRows) break;
      }
      return [...tallies].map(([id, tally]) => ({ id, kind: tally.kind, nullable: tally.sawNull }));
    },

    async *readChunks(path, columns, { signal, chunkRows }) {
      let chunk: Row[] = [];
      for await (const line of jsonLines(path, signal)) {
        const row: Row = {};
        for (const column of columns) row[column.id] = decodeJsonValue(column.kind, line[column.id]);
        chunk.push(row);
        if (chunk.length >= chunkRows) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length > 0) yield chunk;
    },

    async writeFile(path, columns, chunks) {
      async function* lines() {
        for await (const chunk of chunks) yield chunk.map((row) => encodeRow(columns, row)).join('');
      }
      await pipeline(Readable.from(lines()), createWriteStream(path));
    },

    async appendRows(path, columns, rows, beforeChange) {
      const { size } = await stat(path);
      const lead = size > 0 && !(await endsWithLineBreak(path, size)) ? '\n' : '';
      const text = lead + rows.map((row) => encodeRow(columns, row)).join('');
      await beforeChange(size);
      await pipeline(Readable.from([text]), createWriteStream(path, { flags: 'a' }));
    },
  };
}
