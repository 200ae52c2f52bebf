// The key that change-detection state is kept under. Implemented identity functions:
// - Equality: the canonical JSON of the model's identity value, so 1 and "1" stay distinct.
// - ISubstring: the value as trimmed lower-case text (JSON-quoted), so "A@X.com" and "a@x.com" are one record
//   for the diff; the target still matches with its own rules (SQL targets compare exactly).
// OneOf, DomainMatch and HostnameMatch are refused when the plan is checked (unsupported).
import { createHash } from 'node:crypto';
import type { Row } from '../../connectors/records.ts';
import { canonicalJson, valueJson } from './record-hash.ts';
import type { Identity } from './model-sync-plan.ts';

/** Keys are stored readable when short; a longer one becomes its digest, because a PostgreSQL btree
 * entry cannot exceed ~2,700 bytes and the key is the state's primary key. */
const maxPlainKeyLength = 256;

function bounded(key: string): string {
  return key.length <= maxPlainKeyLength ? key : `#sha256:${createHash('sha256').update(key).digest('base64url')}`;
}

export const supportedIdentityFunctions: readonly string[] = ['Equality', 'ISubstring'];

/** A key function over the model row; undefined when the row has no usable identity (null). Modes without an identity
 * (append, snapshot) key a record by its content hash instead (model-sync-runner.ts). */
export type IdentityKeyOf = (row: Row) => string | undefined;

export function identityKeyFunction(identity: Identity): IdentityKeyOf {
  const field = identity.source.field;
  if (identity.function === 'ISubstring') {
    return (row) => {
      const value = row[field];
      return value === null || value === undefined || String(value).trim() === ''
        ? undefined
        : bounded(canonicalJson(String(value).trim().toLowerCase()));
    };
  }
  return (row) => {
    const value = row[field];
    if (value === null || value === undefined) return undefined;
    // A text identity (the usual case) takes canonicalJson's fast path for primitives.
    return bounded(valueJson(value));
  };
}
