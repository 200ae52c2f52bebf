// The value kinds a files table carries. A kind is the `remote_type` of a files field, decides the
// UtilFieldType, and says how a value is written in each format (csv-codec.ts, jsonl-format.ts,
// parquet-codec.ts). Values are normalised to Ferry's conventions (records.ts) before any format
// sees them, so every format encodes the same canonical value.
import { ConnectorError } from '../connector-error.ts';
import type { FieldSpec, UtilFieldType } from '../records.ts';
import { toIsoDate, toNaiveIso, toUtcIso } from '../temporal-values.ts';

export const FileKind = {
  string: 'string',
  integer: 'integer',
  bigint: 'bigint',
  decimal: 'decimal',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  timestampNaive: 'timestamp_naive',
  date: 'date',
  json: 'json',
  array: 'array',
  binary: 'binary',
} as const;
export type FileKind = (typeof FileKind)[keyof typeof FileKind];

const utilTypes: Record<FileKind, UtilFieldType> = {
  string: 'string',
  integer: 'number',
  bigint: 'number',
  decimal: 'number',
  double: 'number',
  boolean: 'boolean',
  timestamp: 'datetime',
  timestamp_naive: 'datetime',
  date: 'datetime',
  json: 'object',
  array: 'array',
  binary: 'binary',
};

export function utilTypeOf(kind: FileKind): UtilFieldType {
  return utilTypes[kind];
}

export function isFileKind(value: unknown): value is FileKind {
  return typeof value === 'string' && value in utilTypes;
}

/**
 * The kind a destination stores a field as. A files type is kept verbatim; another dialect's type
 * name refines `number` and `datetime`; a `number` without a hint is a decimal, because a decimal
 * string keeps every digit of whatever arrives (a JS number, a bigint string or a numeric string).
 */
export function kindOfFieldSpec(field: FieldSpec): FileKind {
  const remote = (field.remote_type ?? '').toLowerCase();
  if (field.remote_dialect === 'files' && isFileKind(remote)) return remote;
  switch (field.type) {
    case 'number':
      if (/bigint|int8|bigserial|long/.test(remote)) return 'bigint';
      if (/^(tiny|small|medium)?int(eger)?\b|^int[24]?\b|^serial/.test(remote)) return 'integer';
      if (/real|double|float/.test(remote)) return 'double';
      return 'decimal';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      if (remote === 'date') return 'date';
      if (/without time zone|^datetime/.test(remote)) return 'timestamp_naive';
      return 'timestamp';
    case 'object':
      return 'json';
    case 'array':
      return 'array';
    case 'binary':
      return 'binary';
    default:
      return 'string';
  }
}

function invalid(kind: FileKind, value: unknown): ConnectorError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return new ConnectorError(`Value ${shown} is not a valid ${kind}`, { code: 'invalid_data' });
}

const integerText = /^-?(0|[1-9]\d*)$/;
const timestampText = /^-?\d{4,}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/;
const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function microsecondsOfDate(value: Date): string {
  return value.toISOString().replace(/Z$/, '000Z');
}

/** A value in Ferry's conventions for `kind`, from any form the contract lets a caller write. */
export function normalizeValue(kind: FileKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'string':
      if (typeof value === 'string') return value;
      if (Buffer.isBuffer(value)) return value.toString('utf8');
      if (value instanceof Date) return microsecondsOfDate(value);
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'integer': {
      const number =
        typeof value === 'string' && integerText.test(value.trim())
          ? Number(value)
          : typeof value === 'bigint'
            ? Number(value)
            : value;
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) throw invalid(kind, value);
      return number;
    }
    case 'bigint': {
      const text =
        typeof value === 'number' && Number.isInteger(value) ? BigInt(value).toString() : String(value).trim();
      if (!integerText.test(text)) throw invalid(kind, value);
      return text;
    }
    case 'decimal': {
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      const text = typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value.trim() : '';
      if (!decimalText.test(text)) throw invalid(kind, value);
      return text;
    }
    case 'double': {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && decimalText.test(value.trim())
            ? Number(value)
            : Number.NaN;
      if (Number.isNaN(number)) throw invalid(kind, value);
      return number;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string' && /^(true|false|t|f)$/i.test(value.trim())) return /^t/i.test(value.trim());
      throw invalid(kind, value);
    case 'timestamp':
      if (value instanceof Date) return microsecondsOfDate(value);
      if (typeof value !== 'string' || !timestampText.test(value.trim())) throw invalid(kind, value);
      return toUtcIso(value);
    case 'timestamp_naive':
      if (value instanceof Date) return microsecondsOfDate(value).replace(/Z$/, '');
      if (typeof value !== 'string' || !timestampText.test(value.trim())) throw invalid(kind, value);
      return toNaiveIso(value);
    case 'date':
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw invalid(kind, value);
      return toIsoDate(value);
    case 'json':
    case 'array':
      return Buffer.isBuffer(value) ? value.toString('base64') : value;
    case 'binary':
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      if (typeof value === 'string') return Buffer.from(value, 'utf8');
      throw invalid(kind, value);
  }
}
