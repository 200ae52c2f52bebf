// The API versions Ferry serves, newest first (docs/versions.md). A request without the header is served
// by the newest. Each older version is reached through the version changes in ./changes/.

export const apiVersions = ['2025-09-18', '2024-02-08', '2023-04-25', '2022-12-12', '2021-05-23'] as const;
export type ApiVersion = (typeof apiVersions)[number];
export const latestVersion: ApiVersion = apiVersions[0];
export const versionHeader = 'x-polytomic-version';

/** Negative when a is older than b. */
export function compareVersions(a: ApiVersion, b: ApiVersion): number {
  return apiVersions.indexOf(b) - apiVersions.indexOf(a);
}

export function isApiVersion(value: string): value is ApiVersion {
  return (apiVersions as readonly string[]).includes(value);
}

export type VersionResolution = { ok: true; version: ApiVersion } | { ok: false; reason: string };

/** The header value → the version, or why it is refused (a 400 that lists the supported versions). */
export function resolveVersion(header: string | string[] | undefined): VersionResolution {
  if (header === undefined) return { ok: true, version: latestVersion };
  if (Array.isArray(header)) return { ok: false, reason: 'X-Polytomic-Version was sent more than once' };
  const value = header.trim();
  if (value === '') return { ok: true, version: latestVersion };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value))
    return { ok: false, reason: `X-Polytomic-Version "${value}" is not a YYYY-MM-DD date` };
  if (!isApiVersion(value)) return { ok: false, reason: `X-Polytomic-Version ${value} is not supported` };
  return { ok: true, version: value };
}
