// MySQL text-protocol rows printed as PostgreSQL COPY text lines straight from the packet bytes. The server already
// prints integers, decimals, dates and datetimes as PostgreSQL reads them, so each value is copied byte for byte,
// with only what COPY needs: backslash, newline, carriage return and tab escaped, `\N` for NULL, t/f for booleans,
// bytea's hex form for binary, and `+00` after a TIMESTAMP (the session runs in UTC). No JS string or object is made
// per value: decoding every value into a record and encoding it again was most of the CPU and the garbage of a
// MySQL → PostgreSQL copy.
import { decodeMysqlValue, type MysqlValueKind } from './mysql-types.ts';

/** How one column's bytes are printed. */
const Print = { asIs: 0, escaped: 1, boolean: 2, hex: 3, utcTimestamp: 4 } as const;
type Print = (typeof Print)[keyof typeof Print];

const printOfKind: Partial<Record<MysqlValueKind, Print>> = {
  integer: Print.asIs,
  bigint: Print.asIs,
  decimal: Print.asIs,
  float: Print.asIs,
  date: Print.asIs,
  timestamp: Print.asIs,
  text: Print.escaped,
  json: Print.escaped,
  boolean: Print.boolean,
  binary: Print.hex,
  timestamptz: Print.utcTimestamp,
};

const numericTypes = ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'];
const textTypes = ['text', 'varchar', 'bpchar'];
/**
 * The destination column types (pg_type names) each kind may be printed into: those where the printed bytes mean
 * exactly what the record path's value would (a float's digits as JS prints them are another text of the same
 * number, a datetime's space another spelling of its 'T'). Any other pair is copied as records.
 */
const typesOfKind: Partial<Record<MysqlValueKind, readonly string[] | 'any but json'>> = {
  integer: [...numericTypes, ...textTypes],
  bigint: [...numericTypes, ...textTypes],
  decimal: [...numericTypes, ...textTypes],
  float: ['float4', 'float8', 'numeric'],
  date: 'any but json',
  timestamp: ['timestamp', 'timestamptz'],
  timestamptz: ['timestamp', 'timestamptz'],
  text: 'any but json',
  // jsonb reads the text as the record path's JSON.parse would, except that numbers keep every digit.
  json: ['jsonb'],
  boolean: 'any but json',
  binary: 'any but json',
};

/** Whether values of `kind` can be printed as COPY text for a destination column of type `typeName`. */
export function printableInto(kind: MysqlValueKind | undefined, typeName: string | undefined): boolean {
  const types = kind && typesOfKind[kind];
  if (!types || typeName === undefined) return false;
  return types === 'any but json' ? typeName !== 'json' && typeName !== 'jsonb' : types.includes(typeName);
}

const backslash = 0x5c;
const tab = 0x09;
const newline = 0x0a;
const zeroDigit = 0x30;
const nullLength = 0xfb;
const hexDigits = Buffer.from('0123456789abcdef');
const escapedNull = Buffer.from('\\N');
const utcSuffix = Buffer.from('+00');

/** Buffers of lines handed on once full: 256 KiB left the server 15–20 MB lower at its peak than 1 MiB, at the same CPU. */
const bufferBytes = 256 * 1024;

export interface CopyTextLinesOptions {
  kinds: readonly MysqlValueKind[];
  /** The column the read is ordered by: its last non-null value is each chunk's cursor. */
  orderColumn: number | undefined;
  /** Text appended to every line (a constant column), already escaped, with its leading tab. */
  suffix: string;
}

/**
 * Prints row packets into COPY text lines in buffers of about 1 MiB. `flush()` hands on what is printed; `cursor()`
 * is the order column's last non-null value printed so far, decoded as the record path decodes it.
 */
export class CopyTextLines {
  private readonly prints: Print[];
  private readonly kinds: readonly MysqlValueKind[];
  private readonly orderColumn: number;
  private readonly suffix: Buffer;
  private buffer = Buffer.allocUnsafeSlow(bufferBytes);
  private length = 0;
  private orderValue = Buffer.allocUnsafeSlow(64);
  private orderValueLength = -1;
  private readonly full: (buffer: Buffer) => void;

  constructor(options: CopyTextLinesOptions, full: (buffer: Buffer) => void) {
    this.kinds = options.kinds;
    this.prints = options.kinds.map((kind) => {
      const print = printOfKind[kind];
      if (print === undefined) throw new Error(`MySQL values of kind ${kind} have no COPY text printer`);
      return print;
    });
    this.orderColumn = options.orderColumn ?? -1;
    this.suffix = Buffer.from(options.suffix);
    this.full = full;
  }

  /** Hands on the lines printed since the last flush, if any. */
  flush(): void {
    if (this.length === 0) return;
    this.full(this.buffer.subarray(0, this.length));
    this.buffer = Buffer.allocUnsafeSlow(bufferBytes);
    this.length = 0;
  }

  cursor(): unknown {
    if (this.orderValueLength < 0) return undefined;
    const text = this.orderValue.toString('utf8', 0, this.orderValueLength);
    const kind = this.kinds[this.orderColumn]!;
    // As mysql2 gives them: numbers for integers and floats, exact strings for the rest, then decoded as records are.
    if (kind === 'integer' || kind === 'float') return Number(text);
    if (kind === 'binary') return Buffer.from(this.orderValue.subarray(0, this.orderValueLength));
    return decodeMysqlValue(kind, text);
  }

  /** One row packet's payload, `packet[start, end)`: length-coded values, one per column. */
  row(packet: Buffer, start: number, end: number): void {
    const prints = this.prints;
    const columns = prints.length;
    // Every value costs at most twice its bytes and its length byte, plus `\\x` or `+00`.
    const most = 2 * (end - start) + 3 * columns + this.suffix.length + 1;
    if (this.length + most > this.buffer.length) {
      this.flush();
      if (most > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(most);
    }
    const out = this.buffer;
    let at = this.length;
    let read = start;
    for (let column = 0; column < columns; column += 1) {
      if (column > 0) out[at++] = tab;
      let size = packet[read++]!;
      if (size === nullLength) {
        out[at++] = escapedNull[0]!;
        out[at++] = escapedNull[1]!;
        // A null order value is no position; MySQL sorts nulls first, so none follows a value.
        continue;
      }
      if (size > nullLength) {
        // 0xfc, 0xfd, 0xfe: a 2, 3 or 8 byte little-endian length follows.
        const bytes = size === 0xfc ? 2 : size === 0xfd ? 3 : 8;
        size = bytes === 8 ? Number(packet.readBigUInt64LE(read)) : packet.readUIntLE(read, bytes);
        read += bytes;
      }
      const valueEnd = read + size;
      if (column === this.orderColumn) this.keepOrderValue(packet, read, size);
      switch (prints[column]) {
        case Print.asIs:
          if (size > 32) at += packet.copy(out, at, read, valueEnd);
          else for (let index = read; index < valueEnd; index += 1) out[at++] = packet[index]!;
          break;
        case Print.escaped:
          for (let index = read; index < valueEnd; index += 1) {
            const byte = packet[index]!;
            // UTF-8 never has these bytes inside a multi-byte character, so escaping bytes escapes characters.
            if (byte === backslash) {
              out[at++] = backslash;
              out[at++] = backslash;
            } else if (byte === newline) {
              out[at++] = backslash;
              out[at++] = 0x6e;
            } else if (byte === 0x0d) {
              out[at++] = backslash;
              out[at++] = 0x72;
            } else if (byte === tab) {
              out[at++] = backslash;
              out[at++] = 0x74;
            } else out[at++] = byte;
          }
          break;
        case Print.boolean: {
          // tinyint(1) holds any small integer; only zero is false, as Number(value) !== 0 reads it.
          let zero = true;
          for (let index = read; index < valueEnd; index += 1) if (packet[index] !== zeroDigit) zero = false;
          out[at++] = zero ? 0x66 : 0x74;
          break;
        }
        case Print.hex:
          // bytea's hex form `\x…`, its backslash escaped for COPY.
          out[at++] = backslash;
          out[at++] = backslash;
          out[at++] = 0x78;
          for (let index = read; index < valueEnd; index += 1) {
            const byte = packet[index]!;
            out[at++] = hexDigits[byte >> 4]!;
            out[at++] = hexDigits[byte & 15]!;
          }
          break;
        case Print.utcTimestamp:
          if (packet[read] === zeroDigit) {
            // Year 0xxx, MySQL's zero date among them: the record path's own reading, whatever it makes of it.
            const text = String(decodeMysqlValue('timestamptz', packet.toString('latin1', read, valueEnd)));
            at += out.write(text, at, 'latin1');
          } else {
            for (let index = read; index < valueEnd; index += 1) out[at++] = packet[index]!;
            out[at++] = utcSuffix[0]!;
            out[at++] = utcSuffix[1]!;
            out[at++] = utcSuffix[2]!;
          }
          break;
      }
      read = valueEnd;
    }
    if (this.suffix.length > 0) at += this.suffix.copy(out, at);
    out[at++] = newline;
    this.length = at;
  }

  private keepOrderValue(packet: Buffer, start: number, size: number): void {
    if (size > this.orderValue.length) this.orderValue = Buffer.allocUnsafeSlow(size);
    packet.copy(this.orderValue, 0, start, start + size);
    this.orderValueLength = size;
  }
}
