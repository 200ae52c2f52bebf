// 2024-02-08 → 2023-04-25, from the SDK's release history (SDK 0.1.2, the only release typed 2023-04-25).
import Type from 'typebox';
import type { VersionChange, VersionInstruction } from '../version-change.ts';
import { noneRequired, plainSchema } from '../schema-effects.ts';

/** SDK 0.2.0 switched every update from PATCH to PUT; older versions update with PATCH. */
const updatedWithPatch = [
  '/api/bulk/syncs/{id}',
  '/api/bulk/syncs/{id}/schemas/{schema_id}',
  '/api/connections/{id}',
  '/api/models/{id}',
  '/api/organizations/{id}',
  '/api/organizations/{org_id}/users/{id}',
  '/api/permissions/policies/{id}',
  '/api/permissions/roles/{id}',
  '/api/syncs/{id}',
  '/api/webhooks/{id}',
];

/** Routes that SDK 0.2.0 moved: the newest key → the 2023-04-25 key. */
const movedRoutes: Array<{ route: string; to: string; params?: Record<string, string> }> = [
  { route: 'GET /api/connections/{id}/bulksync/target', to: 'GET /api/bulk/dest/{id}' },
  {
    route: 'GET /api/connections/{id}/bulksync/source',
    to: 'GET /api/bulk/source/{connection_id}',
    params: { connection_id: 'id' },
  },
  {
    route: 'GET /api/connections/{id}/schemas/{schema_id}',
    to: 'GET /api/bulk/source/{connection_id}/schema/{schema_id}',
    params: { connection_id: 'id' },
  },
  {
    route: 'GET /api/connections/{id}/schemas/status',
    to: 'GET /api/bulk/source/{connection_id}/status',
    params: { connection_id: 'id' },
  },
  { route: 'GET /api/connections/{id}/modelsync/source', to: 'GET /api/connections/{id}/source' },
  { route: 'GET /api/connections/{id}/modelsync/source/fields', to: 'POST /api/connections/{id}/source/fields' },
  { route: 'GET /api/connections/{id}/modelsync/target', to: 'GET /api/connections/{id}/target' },
  { route: 'GET /api/connections/{id}/modelsync/target/fields', to: 'POST /api/connections/{id}/target/fields' },
  {
    route: 'GET /api/connections/{id}/schemas/{schema_id}/records',
    to: 'GET /api/connections/{connection_id}/{schema_id}/records',
    params: { connection_id: 'id' },
  },
];

/**
 * The two field lookups were POSTs with a JSON body before 0.2.0 made them GETs with a query. The old body is
 * read as the new query: source fields take `params` (or, for a body without it, the body itself as the params
 * object) as JSON text; target fields take `target` and `refresh`. A query string, if sent, wins.
 */
function bodyObject(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

const postBodyBecomesQuery: VersionInstruction[] = [
  {
    kind: 'request-converted',
    route: 'GET /api/connections/{id}/modelsync/source/fields',
    up: (request) => {
      const body = bodyObject(request.body);
      const params = 'params' in body ? body.params : Object.keys(body).length ? body : undefined;
      if (params === undefined || request.query.params !== undefined) return { ...request, body: undefined };
      return {
        ...request,
        query: { ...request.query, params: typeof params === 'string' ? params : JSON.stringify(params) },
        body: undefined,
      };
    },
    schema: {
      body: () =>
        plainSchema(
          Type.Object({
            params: Type.Optional(
              Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.String()], {
                description: 'The params object (or its JSON text); a body without it is the params object itself.',
              }),
            ),
          }),
        ),
    },
  },
  {
    kind: 'request-converted',
    route: 'GET /api/connections/{id}/modelsync/target/fields',
    up: (request) => {
      const body = bodyObject(request.body);
      const query = { ...request.query };
      for (const key of ['target', 'refresh'])
        if (query[key] === undefined && body[key] !== undefined) query[key] = body[key];
      return { ...request, query, body: undefined };
    },
    schema: {
      query: (newer) => newer && noneRequired(newer),
      // The body is how these versions send the lookup, so its target is required (a query string may still
      // carry it instead, and then wins).
      body: () =>
        plainSchema(Type.Object({ target: Type.String({ minLength: 1 }), refresh: Type.Optional(Type.Boolean()) })),
    },
  },
];

const instructions: VersionInstruction[] = [
  ...updatedWithPatch.map(
    (path): VersionInstruction => ({ kind: 'endpoint-moved', route: `PUT ${path}`, to: `PATCH ${path}` }),
  ),
  // A client that sends a PATCH expects what it leaves out to stay as it is.
  ...updatedWithPatch.map((path): VersionInstruction => ({ kind: 'merge-patch', route: `PUT ${path}` })),
  ...movedRoutes.map((move): VersionInstruction => ({ kind: 'endpoint-moved', ...move })),
  ...postBodyBecomesQuery,
];

export const change20230425: VersionChange = {
  version: '2023-04-25',
  description:
    'Updates use PATCH instead of PUT (except PATCH /api/bulk/syncs/{id}/schemas, which both have), and the bulk-source, ' +
    'bulk-destination, model-sync source/target and sample-records routes have their pre-2024 paths.',
  rules: [
    "Every PATCH update is a JSON merge patch (RFC 7396) onto the resource as it stands, then checked and applied as the newer versions' PUT with the merged body: a field left out keeps its value; nested objects merge key by key (a `configuration` with only `database` keeps the other configuration keys), except schedules and a model's `configuration` (one SQL or one table), which a patch replaces whole (and a model patch with a new configuration but no `fields` selects every field of the new SQL); arrays replace the whole list; `null` removes a field, which then gets what a PUT without it gives (cleared or its default; a required field is a 400 naming it). So a full body gives the same result as PUT. Secrets that responses never show keep their stored values when left out: connection configuration secrets and a model sync's encryption_passphrase also when null (a PUT without them keeps them; an empty encryption_passphrase clears it), while an organization's client_secret is cleared by null and a webhook's secret, being required, cannot be. PATCH /api/bulk/syncs/{id}/schemas is the partial update it is in the newer versions. A bulk sync that selects every schema forgets per-schema settings on any update, as PUT does.",
    'POST /api/connections/{id}/source/fields and POST /api/connections/{id}/target/fields take their input as a JSON body: `params` (or the whole body as the params object) for source fields, `target` and `refresh` for target fields. A query string, if also sent, wins.',
    'Endpoints that the 2024-02-08 SDK gained over two years (model preview, query runner, schedules sub-resource, …) are served in 2023-04-25 too: nothing says they were absent from the server, and the SDK surface only grew.',
  ],
  instructions,
};
