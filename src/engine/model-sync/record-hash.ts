// Canonical JSON and the content hash that change detection compares. Keys are sorted so that
// field order never reads as a change; Buffers and Dates get stable encodings. 128 bits of SHA-256
// (22 base64url characters) keep the state small: a collision needs ~2^64 records.
import { createHash } from 'node:crypto';
import type { Row } from '../../connectors/records.ts';

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Buffer.isBuffer(value)) return JSON.stringify({ $binary: value.toString('base64') });
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as Row)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Row)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function recordHash(record: Row): string {
  return createHash('sha256').update(canonicalJson(record)).digest('base64url').slice(0, 22);
}
