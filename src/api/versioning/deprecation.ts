// Deprecation signals of the older API versions. A version is deprecated from the day the next newer one was
// released (a version's name is its release date): responses served in it carry `Deprecation` (RFC 9745) and, when
// the operator configured one, `Sunset` (RFC 8594), the date after which Ferry may stop serving it.
import { apiVersions, isApiVersion, latestVersion, type ApiVersion } from './versions.ts';

/** Version → the ISO date (YYYY-MM-DD) after which it may no longer be served. */
export type VersionSunsets = Partial<Record<ApiVersion, string>>;

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function midnightUtc(date: string): Date | undefined {
  if (!isoDate.test(date)) return undefined;
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date ? undefined : parsed;
}

/** The day `version` was superseded (the next newer version's release), or undefined for the newest. */
export function deprecatedSince(version: ApiVersion): string | undefined {
  const index = apiVersions.indexOf(version);
  return index > 0 ? apiVersions[index - 1] : undefined;
}

/**
 * `2024-02-08=2027-06-30,2023-04-25=2027-01-01` → sunsets; throws naming the entry at fault. Only older versions
 * can have one, and a sunset falls after the version's deprecation.
 */
export function parseVersionSunsets(value: string | undefined, name: string): VersionSunsets {
  const sunsets: VersionSunsets = {};
  if (value === undefined || value.trim() === '') return sunsets;
  for (const entry of value.split(',')) {
    const [version, date, ...rest] = entry.trim().split('=');
    const fail = (why: string) => {
      throw new Error(`${name}: "${entry.trim()}" ${why} (expected VERSION=YYYY-MM-DD entries separated by commas)`);
    };
    if (version === undefined || date === undefined || rest.length > 0) fail('is not VERSION=DATE');
    if (!isApiVersion(version!)) fail(`names no supported version (supported: ${apiVersions.join(', ')})`);
    const apiVersion = version as ApiVersion;
    if (apiVersion === latestVersion) fail(`names the default version ${latestVersion}, which cannot have a sunset`);
    if (sunsets[apiVersion] !== undefined) fail('repeats a version');
    if (!midnightUtc(date!)) fail('has no valid YYYY-MM-DD date');
    if (date! <= deprecatedSince(apiVersion)!)
      fail(`ends before the version was deprecated on ${deprecatedSince(apiVersion)}`);
    sunsets[apiVersion] = date!;
  }
  return sunsets;
}

/** The headers of every response served in each older version. */
export function deprecationHeaders(sunsets: VersionSunsets): Map<ApiVersion, Record<string, string>> {
  const headers = new Map<ApiVersion, Record<string, string>>();
  for (const version of apiVersions) {
    const since = deprecatedSince(version);
    if (!since) continue;
    const signals: Record<string, string> = { deprecation: `@${midnightUtc(since)!.getTime() / 1000}` };
    const sunset = sunsets[version];
    if (sunset) signals.sunset = midnightUtc(sunset)!.toUTCString();
    headers.set(version, signals);
  }
  return headers;
}
