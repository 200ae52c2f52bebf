// Records as the text format of COPY … FROM STDIN: one line per row, columns separated by tabs, null as \N, and
// backslash, newline, carriage return and tab escaped with a backslash. Values arrive already encoded for the
// column (encodePostgresValue: JSON as text, bigints as strings), so what is left is the text form of each
// JavaScript value, the one PostgreSQL's input functions read: booleans as t/f, binary in bytea's hex form, dates
// in ISO 8601, and arrays as array literals.
import { escapeCopyText } from '../copy-text-escape.ts';

/** An element of an array literal: quoted, with its quotes and backslashes escaped; null unquoted. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return arrayLiteral(value);
  const text = textOf(value);
  return `"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

function arrayLiteral(values: unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (value instanceof Uint8Array)
    return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

/** One field of a COPY text line for `value`, already encoded for its column: escaped, or \\N for null. */
export function copyTextField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escapeCopyText(value);
  // Numbers and booleans have no character to escape.
  if (typeof value === 'number' || typeof value === 'boolean') return textOf(value);
  return escapeCopyText(textOf(value));
}

/** Rows per chunk of COPY text handed to the socket: large enough to amortize the write, small enough to stream. */
const linesPerChunk = 500;

/** The COPY text of `records`, one line each (without its newline) from `line`, in chunks of lines. */
export function* copyTextChunks<T>(
  records: readonly T[],
  line: (record: T, index: number) => string,
): Generator<string> {
  let chunk = '';
  for (let index = 0; index < records.length; index += 1) {
    chunk += `${line(records[index]!, index)}\n`;
    if ((index + 1) % linesPerChunk === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
