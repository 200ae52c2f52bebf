// The changelog of the API versions in plain words, from the version changes: served by GET /api/versions and
// written into docs/versions.md, so the endpoint and the page say the same.
import type { VersionChange, VersionInstruction } from './version-change.ts';
import { apiVersions, latestVersion, type ApiVersion } from './versions.ts';

export function describeInstruction(instruction: VersionInstruction): string {
  switch (instruction.kind) {
    case 'endpoint-added':
      return `\`${instruction.route}\` does not exist in this version (added later).`;
    case 'endpoint-removed':
      return `\`${instruction.route}\` exists only in this version and older ones.`;
    case 'endpoint-moved':
      return `\`${instruction.route}\` is \`${instruction.to}\` here${
        instruction.params
          ? ` (parameters ${Object.entries(instruction.params)
              .map(([old, now]) => `${old} → ${now}`)
              .join(', ')})`
          : ''
      }.`;
    case 'access-changed':
      return `\`${instruction.route}\` admits ${instruction.access === 'any' ? 'any valid key' : `${instruction.access} keys`} here.`;
    case 'field-added':
      return `\`${instruction.type}.${instruction.field}\` is not part of this version.`;
    case 'type-renamed':
      return `\`${instruction.type}\` is named \`${instruction.to}\` in this version's OpenAPI document.`;
    case 'type-converted':
      return `\`${instruction.type}\` has an older shape here.`;
    case 'request-converted':
      return `Requests to \`${instruction.route}\` are converted to the newer shape.`;
    case 'response-converted':
      return `Responses of \`${instruction.route}\` are converted to the older shape.`;
    case 'merge-patch':
      return `\`${instruction.route}\`, a PATCH here, takes a JSON merge patch (RFC 7396): fields left out keep their values.`;
    case 'error-converted':
      return `Error bodies with status ${instruction.status} are \`${(instruction.olderSchema as { title?: string }).title ?? 'another shape'}\` here.`;
  }
}

export interface VersionChangelogEntry {
  version: ApiVersion;
  default: boolean;
  /** The next newer version, which this one is described against; null for the newest. */
  newer_version: ApiVersion | null;
  /** How this version differs from the next newer one: the summary, the rules, then each difference. */
  summary: string | null;
  rules: string[];
  differences: string[];
}

export function versionChangelog(changes: readonly VersionChange[]): VersionChangelogEntry[] {
  return apiVersions.map((version, index) => {
    const change = changes.find((candidate) => candidate.version === version);
    return {
      version,
      default: version === latestVersion,
      newer_version: index === 0 ? null : apiVersions[index - 1]!,
      summary: change?.description ?? null,
      rules: change?.rules ?? [],
      differences: change?.instructions.map(describeInstruction) ?? [],
    };
  });
}
