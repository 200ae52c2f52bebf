// The committed OpenAPI documents (openapi/<version>.json): pretty-printed with sorted keys, so a snapshot changes
// only where a document does. `npm run openapi` writes them; test/api/openapi-snapshots.test.ts compares them.
import type { ApiVersion } from './versions.ts';

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}

export function openApiSnapshotText(document: unknown): string {
  return `${JSON.stringify(sortedKeys(document), null, 2)}\n`;
}

export function openApiSnapshotPath(version: ApiVersion): string {
  return `openapi/${version}.json`;
}
