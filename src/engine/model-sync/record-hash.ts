// Canonical JSON and the content hash that change detection compares. Keys are sorted so that
// field order never reads as a change; Buffers and Dates get stable encodings. 128 bits of SHA-256
// (22 base64url characters) keep the state small: a collision needs ~2^64 records.
//
// The hashes are persisted (and append/create key on them), so the bytes hashed for a record must never change:
// test/engine/model-sync/record-hash.test.ts pins them. Every run hashes every model row, so the top level of a
// record takes a fast path: the mapper gives every row the same keys in the same order, so the sorted order and
// each key's `"key":` prefix are kept for the last shape seen instead of sorting every row.
import { createHash, hash } from 'node:crypto';
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

/** True when JSON.stringify(text) is the text in quotes: no quote, backslash, control character or surrogate in it. */
export function isPlainText(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x22 || code === 0x5c || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}

/** JSON.stringify of a string, without the builtin's call for plain text (most text). */
function quoted(text: string): string {
  return isPlainText(text) ? `"${text}"` : JSON.stringify(text);
}

/** canonicalJson of a value, with the primitives (every model row has several) done without its checks in front. The
 * output is JSON.stringify's exactly: a finite number's text is String's, anything else is null. */
export function valueJson(value: unknown): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return canonicalJson(value);
}

/** The last record shape: its keys in insertion order, and the same keys sorted with their JSON prefixes. */
let shapeKeys: string[] = [];
let sortedKeys: string[] = [];
let prefixes: string[] = [];

function learnShape(keys: string[]): void {
  shapeKeys = keys;
  sortedKeys = [...keys].sort();
  prefixes = sortedKeys.map((key, index) => `${index === 0 ? '' : ','}${JSON.stringify(key)}:`);
}

/** canonicalJson of a record (a flat object of values), with the key order cached per shape. */
export function recordJson(record: Row): string {
  const keys = Object.keys(record);
  let same = keys.length === shapeKeys.length;
  for (let index = 0; same && index < keys.length; index += 1) same = keys[index] === shapeKeys[index];
  if (!same) learnShape(keys);
  let json = '{';
  for (let index = 0; index < sortedKeys.length; index += 1)
    json += prefixes[index] + valueJson(record[sortedKeys[index]!]);
  return `${json}}`;
}

// crypto.hash (Node ≥ 20.12) hashes a string in one call, about twice as fast as createHash().update().digest().
const sha256Base64url: (text: string) => string =
  typeof hash === 'function'
    ? (text) => hash('sha256', text, 'base64url')
    : (text) => createHash('sha256').update(text).digest('base64url');

/** The content hash of a record's canonical JSON (recordJson). */
export function jsonHash(json: string): string {
  return sha256Base64url(json).slice(0, 22);
}

export function recordHash(record: Row): string {
  return jsonHash(recordJson(record));
}
