// next_page_token of the keyset-paginated lists: the last row's sort key (strings) as base64url JSON, opaque to
// clients. Bulk-sync and model-sync executions page by (created_at, id); model syncs by (updated_at, id).
import { invalidField } from '../domain/domain-error.ts';

export function pageToken(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a pageToken of `length` strings carries; undefined for a token Ferry did not issue. */
export function pageTokenKey(token: string, length: number): string[] | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((part) => typeof part === 'string'))
      return key as string[];
  } catch {
    // Not base64url JSON: not a token Ferry issued.
  }
  return undefined;
}

/** next_page_token of an executions page: the last row's (created_at, id). */
export function executionPageToken(row: { created_at: string; id: string }): string {
  return pageToken([row.created_at, row.id]);
}

/** The (created_at, id) position an executionPageToken carries, or an invalid-field error naming page_token. */
export function executionPagePosition(token: string): { created_at: string; id: string } {
  const key = pageTokenKey(token, 2);
  if (!key) throw invalidField('page_token', 'is not a token this API issued');
  return { created_at: key[0]!, id: key[1]! };
}
