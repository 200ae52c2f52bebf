// GET /api/versions: Ferry's own endpoint (not in the Polytomic API) listing the versions it serves and how each
// differs from the next newer one, from the same version changes that convert requests and responses.
import Type from 'typebox';
import type { RouteDefinition } from '../../route.ts';
import { Envelope } from '../envelope.ts';
import { versionChanges } from '../../versioning/changes/index.ts';
import { versionChangelog } from '../../versioning/changelog.ts';
import { latestVersion } from '../../versioning/versions.ts';

const FerryApiVersion = Type.Object(
  {
    version: Type.String({ description: 'The value to send in X-Polytomic-Version.' }),
    default: Type.Boolean({ description: 'Serves requests that send no X-Polytomic-Version.' }),
    newer_version: Type.Union([Type.String(), Type.Null()], {
      description: 'The next newer version, which the summary, rules and differences compare against.',
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

export function versionRoutes(): RouteDefinition[] {
  const body = { data: { default_version: latestVersion, versions: versionChangelog(versionChanges) } };
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
