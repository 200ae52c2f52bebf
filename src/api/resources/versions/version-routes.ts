// GET /api/versions: Ferry's own endpoint (not in the Polytomic API) listing the versions it serves and how each
// differs from the next newer one, from the same version changes that convert requests and responses.
import Type from 'typebox';
import type { RouteDefinition } from '../../route.ts';
import { Envelope } from '../envelope.ts';
import { versionChanges } from '../../versioning/changes/index.ts';
import { versionChangelog } from '../../versioning/changelog.ts';
import { latestVersion } from '../../versioning/versions.ts';
import { deprecatedSince, type VersionSunsets } from '../../versioning/deprecation.ts';

const FerryApiVersion = Type.Object(
  {
    version: Type.String({ description: 'The value to send in X-Polytomic-Version.' }),
    default: Type.Boolean({ description: 'Serves requests that send no X-Polytomic-Version.' }),
    newer_version: Type.Union([Type.String(), Type.Null()], {
      description: 'The next newer version, which the summary, rules and differences compare against.',
    }),
    deprecated_since: Type.Union([Type.String(), Type.Null()], {
      description: 'The day the next newer version was released; null for the default version.',
    }),
    sunset: Type.Union([Type.String(), Type.Null()], {
      description:
        'The day after which this Ferry may stop serving the version (FERRY_VERSION_SUNSET); null when none is set.',
    }),
    summary: Type.Union([Type.String(), Type.Null()]),
    rules: Type.Array(Type.String()),
    differences: Type.Array(Type.String()),
  },
  { title: 'FerryApiVersion' },
);

const FerryApiVersions = Envelope(
  'FerryApiVersionsEnvelope',
  Type.Object({ default_version: Type.String(), versions: Type.Array(FerryApiVersion) }, { title: 'FerryApiVersions' }),
);

export function versionRoutes(sunsets: VersionSunsets): RouteDefinition[] {
  const versions = versionChangelog(versionChanges).map(({ version, default: isDefault, newer_version, ...words }) => ({
    version,
    default: isDefault,
    newer_version,
    deprecated_since: deprecatedSince(version) ?? null,
    sunset: sunsets[version] ?? null,
    ...words,
  }));
  const body = { data: { default_version: latestVersion, versions } };
  return [
    {
      operationId: 'ferry.versions.list',
      method: 'GET',
      path: '/api/versions',
      summary:
        'Ferry extension: the API versions served, newest first, the default, and how each differs from the next newer one.',
      access: 'public',
      ferryExtension: true,
      response: FerryApiVersions,
      handler: async () => body,
    },
  ];
}
