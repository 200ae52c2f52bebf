// PostgreSQL ↔ Ferry types. Values are parsed per pool (the `types` option), never by mutating
// pg's global parsers: numeric and int8 stay text (exact), timestamps become ISO strings with
// microseconds (pg's default Date drops them), dates stay `YYYY-MM-DD`.
import pg from 'pg';
import type { FieldSpec, UtilFieldType } from '../records.ts';
import { toNaiveIso, toUtcIso } from '../temporal-values.ts';

const oid = {
  int8: 20,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  timetz: 1266,
  numeric: 1700,
  interval: 1186,
} as const;

const overrides: Record<number, (text: string) => unknown> = {
  [oid.int8]: (text) => text,
  [oid.numeric]: (text) => text,
  [oid.date]: (text) => text,
  [oid.time]: (text) => text,
  [oid.timetz]: (text) => text,
  [oid.interval]: (text) => text,
  [oid.timestamp]: toNaiveIso,
  [oid.timestamptz]: toUtcIso,
};

/** The `types` option for pg.Pool and pg-cursor. */
export const postgresTypeParsers = {
  getTypeParser(typeId: number, format?: 'text' | 'binary') {
    if ((format ?? 'text') === 'text' && overrides[typeId]) return overrides[typeId];
    return (pg.types.getTypeParser as (id: number, format?: string) => (value: string) => unknown)(
      typeId,
      format ?? 'text',
    );
  },
} as unknown as pg.CustomTypesConfig;

const byTypeName: Readonly<Record<string, UtilFieldType>> = {
  json: 'object',
  jsonb: 'object',
  bytea: 'binary',
  uuid: 'string',
  time: 'string',
  timetz: 'string',
  interval: 'string',
  money: 'string',
};

// pg_type.typcategory: https://www.postgresql.org/docs/current/catalog-pg-type.html#CATALOG-TYPCATEGORY-TABLE
const byCategory: Readonly<Record<string, UtilFieldType>> = {
  A: 'array',
  B: 'boolean',
  D: 'datetime',
  E: 'string',
  N: 'number',
  S: 'string',
  T: 'string',
  I: 'string',
  G: 'string',
  U: 'string',
};

export function fieldTypeOf(typeName: string, category: string): UtilFieldType {
  return byTypeName[typeName] ?? byCategory[category] ?? 'unknown';
}

/** JS value → parameter. JSON columns need explicit JSON text: pg would send a JS array as a PG array. */
export function encodePostgresValue(typeName: string | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeName === 'json' || typeName === 'jsonb') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

const destinationTypes: Record<UtilFieldType, string> = {
  unknown: 'text',
  string: 'text',
  number: 'numeric',
  boolean: 'boolean',
  datetime: 'timestamp with time zone',
  array: 'jsonb',
  object: 'jsonb',
  binary: 'bytea',
};

/** The column type Ferry creates; a PostgreSQL source's own type is kept as is. */
export function postgresTypeFor(field: FieldSpec): string {
  if (field.remote_dialect === 'postgresql' && field.remote_type) return field.remote_type;
  const remote = (field.remote_type ?? '').toLowerCase();
  // Unsigned 32-bit integers from MySQL do not fit PostgreSQL's signed integer.
  if (field.type === 'number' && /^bigint|^int8|unsigned/.test(remote)) return 'bigint';
  if (field.type === 'number' && /^(tiny|small|medium)?int|^integer/.test(remote)) return 'integer';
  if (field.type === 'number' && /float|double|real/.test(remote)) return 'double precision';
  if (field.type === 'datetime' && /^date$/.test(remote)) return 'date';
  if (field.type === 'datetime' && isNaiveTimestamp(remote, field.remote_dialect)) return 'timestamp';
  return destinationTypes[field.type];
}

/**
 * Whether a source timestamp type carries no zone. MySQL's TIMESTAMP and the files connector's `timestamp` are
 * instants (stored in UTC), so they map to timestamptz; DATETIME, `… without time zone`, the files connector's
 * `timestamp_naive` and SQLite's TIMESTAMP/DATETIME are wall-clock values.
 */
function isNaiveTimestamp(remote: string, dialect: string | undefined): boolean {
  if (/without time zone$|^timestamp_naive$|^datetime(\(\d\))?$/.test(remote)) return true;
  if (/^timestamp(\(\d\))?$/.test(remote)) return dialect !== 'mysql' && dialect !== 'files';
  return false;
}
