// Parquet types ↔ file kinds, and values ↔ what hyparquet reads and hyparquet-writer writes.
// Reading keeps exactness where hyparquet's defaults would lose it: DECIMAL columns are read raw
// (their annotation is removed from a copy of the metadata) and turned into exact decimal strings;
// timestamps come back as bigint microseconds instead of millisecond `Date`s.
import type { FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from 'hyparquet';
import type { FileKind } from './file-kinds.ts';

/** The kind of one top-level column; nested groups (structs, lists, maps) are JSON values. */
export function kindOfParquetColumn(node: SchemaTree): FileKind {
  const { element } = node;
  if (node.children.length > 0)
    return element.converted_type === 'LIST' || element.logical_type?.type === 'LIST' ? 'array' : 'json';
  const converted = element.converted_type;
  const logical = element.logical_type;
  if (converted === 'DECIMAL' || logical?.type === 'DECIMAL') return 'decimal';
  if (converted === 'DATE' || logical?.type === 'DATE') return 'date';
  if (logical?.type === 'TIMESTAMP') return logical.isAdjustedToUTC ? 'timestamp' : 'timestamp_naive';
  if (converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS' || element.type === 'INT96')
    return 'timestamp';
  if (converted === 'JSON' || logical?.type === 'JSON') return 'json';
  if (
    converted === 'UTF8' ||
    converted === 'ENUM' ||
    logical?.type === 'STRING' ||
    logical?.type === 'ENUM' ||
    logical?.type === 'UUID'
  ) {
    return 'string';
  }
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
      return 'integer';
    case 'INT64':
      return converted === 'UINT_64' ? 'decimal' : 'bigint';
    case 'FLOAT':
    case 'DOUBLE':
      return 'double';
    default:
      return 'binary';
  }
}

/** How Ferry writes a kind. Decimals are UTF8 text (exact, whatever their scale); the sidecar says they are decimals. */
export function parquetElementFor(id: string, kind: FileKind): SchemaElement {
  const optional = { name: id, repetition_type: 'OPTIONAL' } as const;
  switch (kind) {
    case 'integer':
    case 'bigint':
      return { ...optional, type: 'INT64' };
    case 'double':
      return { ...optional, type: 'DOUBLE' };
    case 'boolean':
      return { ...optional, type: 'BOOLEAN' };
    case 'timestamp':
    case 'timestamp_naive':
      return {
        ...optional,
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: kind === 'timestamp', unit: 'MICROS' },
      };
    case 'date':
      return { ...optional, type: 'INT32', converted_type: 'DATE' };
    case 'json':
    case 'array':
      return { ...optional, type: 'BYTE_ARRAY', converted_type: 'JSON' };
    case 'binary':
      return { ...optional, type: 'BYTE_ARRAY' };
    default:
      return { ...optional, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
  }
}

const dayMicros = 86_400_000_000n;

// Timestamps convert through Number arithmetic where it is exact (every instant within ±285 years of 1970 in
// microseconds is a safe integer), BigInt only beyond: this runs once per timestamp value of a copy.
const safeMicros = BigInt(Number.MAX_SAFE_INTEGER);

function isoToMicros(iso: string): bigint {
  const seconds = Date.parse(`${iso.slice(0, 19)}Z`) / 1000;
  const fraction = iso.length > 20 && iso[19] === '.' ? (/^\.(\d+)/.exec(iso.slice(19))?.[1] ?? '') : '';
  const micros = fraction === '' ? 0 : Number(fraction.length === 6 ? fraction : fraction.padEnd(6, '0').slice(0, 6));
  const total = seconds * 1_000_000 + micros;
  return Number.isSafeInteger(total) ? BigInt(total) : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

const twoDigits = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));

// `YYYY-MM-DD` of a day since 1970, from a cache: formatting a Date costs microseconds, and a copy's timestamps fall
// on few distinct days (undefined outside years 0000–9999, where toISOString writes six-digit years).
const dayTexts = new Map<number, string | undefined>();

function dayText(days: number): string | undefined {
  let text = dayTexts.get(days);
  if (text === undefined && !dayTexts.has(days)) {
    if (dayTexts.size >= 100_000) dayTexts.clear();
    const iso = new Date(days * 86_400_000).toISOString();
    text = iso.length === 24 ? iso.slice(0, 10) : undefined;
    dayTexts.set(days, text);
  }
  return text;
}

function microsToIso(micros: bigint, zoned: boolean): string {
  let seconds: number;
  let rest: number;
  if (micros <= safeMicros && micros >= -safeMicros) {
    const value = Number(micros);
    seconds = Math.floor(value / 1_000_000);
    rest = value - seconds * 1_000_000;
  } else {
    let wholeSeconds = micros / 1_000_000n;
    let remainder = micros % 1_000_000n;
    if (remainder < 0n) {
      wholeSeconds -= 1n;
      remainder += 1_000_000n;
    }
    seconds = Number(wholeSeconds);
    rest = Number(remainder);
  }
  const fraction = rest < 100_000 ? String(rest).padStart(6, '0') : String(rest);
  const days = Math.floor(seconds / 86_400);
  const day = Number.isSafeInteger(days) ? dayText(days) : undefined;
  if (day === undefined) {
    const base = new Date(seconds * 1000).toISOString().slice(0, 19);
    return `${base}.${fraction}${zoned ? 'Z' : ''}`;
  }
  const ofDay = seconds - days * 86_400;
  const hours = Math.floor(ofDay / 3600);
  const minutes = Math.floor((ofDay - hours * 3600) / 60);
  const time = `${twoDigits[hours]}:${twoDigits[minutes]}:${twoDigits[ofDay - hours * 3600 - minutes * 60]}`;
  return `${day}T${time}.${fraction}${zoned ? 'Z' : ''}`;
}

function daysToIsoDate(days: number): string {
  return (
    (Number.isSafeInteger(days) ? dayText(days) : undefined) ??
    microsToIso(BigInt(days) * dayMicros, false).slice(0, 10)
  );
}

/** Values for one column as hyparquet-writer takes them, from values in Ferry's conventions. */
export function encodeParquetValue(kind: FileKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'integer':
    case 'bigint':
      return BigInt(value as number | string);
    case 'timestamp':
    case 'timestamp_naive':
      return isoToMicros(value as string);
    case 'date':
      return Number(isoToMicros(`${value as string}T00:00:00`) / dayMicros);
    case 'decimal':
      return String(value);
    default:
      return value;
  }
}

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && bytes[0] & 0x80 ? value - (1n << bits) : value;
}

function unscaledToDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** A value read by hyparquet (with `readParsers`, and DECIMAL read raw with its `scale`) in Ferry's conventions. */
export function decodeParquetValue(kind: FileKind, raw: unknown, scale: number | undefined): unknown {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case 'decimal':
      if (scale === undefined) return typeof raw === 'string' ? raw : String(raw);
      return unscaledToDecimal(raw instanceof Uint8Array ? bytesToBigInt(raw) : BigInt(raw as number | bigint), scale);
    case 'bigint':
      return String(raw);
    case 'integer':
      return typeof raw === 'bigint' && Number.isSafeInteger(Number(raw))
        ? Number(raw)
        : typeof raw === 'bigint'
          ? String(raw)
          : raw;
    case 'double':
      return Number(raw);
    case 'timestamp':
    case 'timestamp_naive':
      return typeof raw === 'bigint' ? microsToIso(raw, kind === 'timestamp') : raw;
    case 'date':
      return typeof raw === 'number' ? daysToIsoDate(raw) : raw;
    case 'binary':
      return raw instanceof Uint8Array ? Buffer.from(raw) : raw;
    case 'string':
      return raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : raw;
    default:
      return raw;
  }
}

export const readParsers: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => BigInt(millis) * 1000n,
  timestampFromMicroseconds: (micros: bigint) => BigInt(micros),
  timestampFromNanoseconds: (nanos: bigint) => BigInt(nanos) / 1000n,
  dateFromDays: (days: number) => days,
};

/** A copy of the metadata whose DECIMAL columns read as raw integers or bytes, and their scales. */
export function withRawDecimals(metadata: FileMetaData): { metadata: FileMetaData; scales: Map<string, number> } {
  const scales = new Map<string, number>();
  const schema = metadata.schema.map((element) => {
    if (element.converted_type !== 'DECIMAL' && element.logical_type?.type !== 'DECIMAL') return element;
    const logicalScale = element.logical_type?.type === 'DECIMAL' ? element.logical_type.scale : undefined;
    scales.set(element.name, element.scale ?? logicalScale ?? 0);
    return { ...element, converted_type: undefined, logical_type: undefined };
  });
  return { metadata: { ...metadata, schema }, scales };
}
