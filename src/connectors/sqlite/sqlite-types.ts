// SQLite types are declared names with affinities (https://sqlite.org/datatype3.html §3.1), so
// Ferry reads a column's meaning from its declared name. NUMERIC affinity keeps only 15 significant
// digits, so exact decimals (a source's numeric/decimal) are created as DECIMAL_TEXT (TEXT
// affinity, reported as number, carried as strings); other numbers get NUMERIC.
import type { FieldSpec, UtilFieldType } from '../records.ts';
import { toIsoDate, toNaiveIso, toUtcIso } from '../temporal-values.ts';

export const SqliteValueKind = {
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  numeric: 'numeric',
  float: 'float',
  text: 'text',
  boolean: 'boolean',
  timestamptz: 'timestamptz',
  timestamp: 'timestamp',
  date: 'date',
  json: 'json',
  binary: 'binary',
  unknown: 'unknown',
} as const;
export type SqliteValueKind = (typeof SqliteValueKind)[keyof typeof SqliteValueKind];

// First match wins; order matters (DATETIME before DATE, BIGINT before INT, DECIMAL_TEXT before TEXT).
const declaredTypeRules: [RegExp, SqliteValueKind][] = [
  [/BOOL/, 'boolean'],
  [/JSON/, 'json'],
  [/TIMESTAMPTZ|WITH TIME ZONE/, 'timestamptz'],
  [/DATETIME|TIMESTAMP/, 'timestamp'],
  [/DATE/, 'date'],
  [/BIGINT|INT8/, 'bigint'],
  [/INT/, 'integer'],
  [/DEC/, 'decimal'],
  [/NUMERIC|NUMBER/, 'numeric'],
  [/REAL|FLOA|DOUB/, 'float'],
  [/CHAR|CLOB|TEXT|UUID/, 'text'],
  [/BLOB|BINARY|BYTEA/, 'binary'],
];

export function kindOfDeclaredType(declared: string | null | undefined): SqliteValueKind {
  const upper = (declared ?? '').toUpperCase();
  if (upper === '') return 'unknown';
  return declaredTypeRules.find(([pattern]) => pattern.test(upper))?.[1] ?? 'unknown';
}

const fieldTypes: Record<SqliteValueKind, UtilFieldType> = {
  integer: 'number',
  bigint: 'number',
  decimal: 'number',
  numeric: 'number',
  float: 'number',
  text: 'string',
  boolean: 'boolean',
  timestamptz: 'datetime',
  timestamp: 'datetime',
  date: 'datetime',
  json: 'object',
  binary: 'binary',
  unknown: 'unknown',
};

export function fieldTypeOf(declared: string | null | undefined): UtilFieldType {
  return fieldTypes[kindOfDeclaredType(declared)];
}

/** Reads run with safeIntegers, so INTEGER storage arrives as bigint and is narrowed here. */
export function decodeSqliteValue(kind: SqliteValueKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    if (kind === 'boolean') return value !== 0n;
    const safe = value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
    return kind === 'bigint' || kind === 'decimal' || kind === 'text' || !safe ? value.toString() : Number(value);
  }
  if (typeof value === 'string') {
    switch (kind) {
      case 'json':
        return JSON.parse(value);
      case 'timestamptz':
        return toUtcIso(value);
      case 'timestamp':
        return toNaiveIso(value);
      case 'date':
        return toIsoDate(value);
      case 'boolean':
        return value === '1' || value.toLowerCase() === 'true';
    }
  }
  if (kind === 'boolean' && typeof value === 'number') return value !== 0;
  // Decimals are strings by convention, even when a NUMERIC affinity stored them as REAL.
  if (kind === 'decimal' && typeof value === 'number') return String(value);
  return value;
}

/** JS value → bound parameter. better-sqlite3 binds numbers, bigints, strings, Buffers and null only. */
export function encodeSqliteValue(kind: SqliteValueKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'json') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  // A JS number bound to a TEXT-affinity decimal would be stored as REAL text (`2.0`).
  if (kind === 'decimal' && typeof value === 'number') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (kind === 'timestamptz' && typeof value === 'string') return toUtcIso(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

const declaredTypes: Record<UtilFieldType, string> = {
  unknown: 'TEXT',
  string: 'TEXT',
  number: 'NUMERIC',
  boolean: 'BOOLEAN',
  datetime: 'TIMESTAMPTZ',
  array: 'JSON',
  object: 'JSON',
  binary: 'BLOB',
};

/** The declared type Ferry creates for a field; integers and floats keep a numeric affinity. */
export function declaredTypeFor(field: FieldSpec): string {
  if (field.remote_dialect === 'sqlite' && field.remote_type) return field.remote_type;
  const remote = (field.remote_type ?? '').toLowerCase();
  if (field.type === 'number' && /^(small|medium|tiny)?int(eger)?\b|^int[248]$|^serial/.test(remote)) return 'INTEGER';
  if (field.type === 'number' && /^bigint|^bigserial/.test(remote)) return 'BIGINT';
  if (field.type === 'number' && /float|double|real/.test(remote)) return 'REAL';
  if (field.type === 'number' && /^(numeric|decimal)/.test(remote)) return 'DECIMAL_TEXT';
  if (field.type === 'datetime' && /^date$/.test(remote)) return 'DATE';
  if (field.type === 'datetime' && /^(timestamp|datetime)(\(\d\))?( without time zone)?$/.test(remote))
    return 'DATETIME';
  return declaredTypes[field.type];
}
