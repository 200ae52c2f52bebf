// MySQL/MariaDB ↔ Ferry types. mysql2 runs with bigNumberStrings and dateStrings, so BIGINT and
// DECIMAL arrive as exact strings and temporal values as text that is normalised here. MariaDB's
// JSON is LONGTEXT with a json_valid check, found by the introspector and reported as `json`.
import type { FieldSpec, UtilFieldType } from '../records.ts';
import { plainSqlTimestampToIso, toIsoDate, toNaiveIso, toUtcIso, toUtcNaiveSql } from '../temporal-values.ts';

export type MysqlValueKind =
  | 'boolean'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'float'
  | 'text'
  | 'json'
  | 'binary'
  | 'timestamptz'
  | 'timestamp'
  | 'date'
  | 'other';

const kindsByDataType: Readonly<Record<string, MysqlValueKind>> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  char: 'text',
  varchar: 'text',
  tinytext: 'text',
  text: 'text',
  mediumtext: 'text',
  longtext: 'text',
  enum: 'text',
  set: 'text',
  json: 'json',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  timestamp: 'timestamptz',
  datetime: 'timestamp',
  date: 'date',
};

/** `columnType` is information_schema's COLUMN_TYPE, e.g. `tinyint(1)` (MySQL's boolean). */
export function kindOfColumn(dataType: string, columnType: string): MysqlValueKind {
  if (/^tinyint\(1\)/i.test(columnType)) return 'boolean';
  return kindsByDataType[dataType.toLowerCase()] ?? 'other';
}

const fieldTypes: Record<MysqlValueKind, UtilFieldType> = {
  boolean: 'boolean',
  integer: 'number',
  bigint: 'number',
  decimal: 'number',
  float: 'number',
  text: 'string',
  json: 'object',
  binary: 'binary',
  timestamptz: 'datetime',
  timestamp: 'datetime',
  date: 'datetime',
  other: 'string',
};

export const fieldTypeOfKind = (kind: MysqlValueKind): UtilFieldType => fieldTypes[kind];

/** Kinds whose values mysql2 already gives as Ferry's records hold them (numbers, text, Buffers): left as they are. */
const passedThrough: ReadonlySet<MysqlValueKind> = new Set(['integer', 'float', 'text', 'binary', 'other']);

export const needsDecoding = (kind: MysqlValueKind): boolean => !passedThrough.has(kind);

export function decodeMysqlValue(kind: MysqlValueKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'boolean':
      return Number(value) !== 0;
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    case 'bigint':
    case 'decimal':
      return String(value);
    case 'timestamptz': {
      // A TIMESTAMP is always a valid UTC instant, except the zero date (year 0000), which toUtcIso reads its own way.
      const text = String(value);
      const iso = text[0] === '0' ? undefined : plainSqlTimestampToIso(text);
      return iso === undefined ? toUtcIso(text) : `${iso}Z`;
    }
    case 'timestamp': {
      const text = String(value);
      return plainSqlTimestampToIso(text) ?? toNaiveIso(text);
    }
    case 'date':
      return toIsoDate(String(value));
    default:
      return value;
  }
}

export function encodeMysqlValue(kind: MysqlValueKind | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'json') return JSON.stringify(value);
  if ((kind === 'timestamptz' || kind === 'timestamp') && typeof value === 'string') return toUtcNaiveSql(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Date))
    return JSON.stringify(value);
  return value;
}

const destinationTypes: Record<UtilFieldType, string> = {
  unknown: 'longtext',
  string: 'longtext',
  number: 'double',
  boolean: 'tinyint(1)',
  datetime: 'datetime(6)',
  array: 'json',
  object: 'json',
  binary: 'longblob',
};

/** The column type Ferry creates; `keyPart` columns need a bounded length (no TEXT keys). */
export function mysqlTypeFor(field: FieldSpec, keyPart = false): string {
  const remote = (field.remote_type ?? '').toLowerCase();
  let type = destinationTypes[field.type];
  if (field.remote_dialect === 'mysql' && field.remote_type) type = field.remote_type;
  else if (field.type === 'number' && /^bigint|^int8/.test(remote)) type = 'bigint';
  else if (field.type === 'number' && /^(tiny|small|medium)?int|^integer/.test(remote)) type = 'int';
  else if (field.type === 'number' && /^(numeric|decimal)/.test(remote)) type = 'decimal(65,30)';
  else if (field.type === 'datetime' && remote === 'date') type = 'date';
  if (keyPart && /text$/.test(type)) return 'varchar(255)';
  return type;
}
