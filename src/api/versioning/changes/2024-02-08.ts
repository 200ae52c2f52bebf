// 2025-09-18 → 2024-02-08, from Polytomic's 2025-09-18 migration guide and the two versions' API references; what
// each instruction means for a client is in docs/versions.md, generated from this file.
import Type from 'typebox';
import type { VersionChange, VersionInstruction } from '../version-change.ts';
import { downgradeBulkSyncResponse, LegacyBulkSchedule, upgradeBulkSyncRequest } from './bulk-sync-schedules-2024.ts';
import { ListModelSyncResponseEnvelope } from '../../resources/model-syncs/model-sync-schemas.ts';
import { BulkSchema } from '../../resources/bulk-syncs/bulk-sync-schemas.ts';
import { composed, withoutProperties, withProperties } from '../schema-effects.ts';
import { typeNames2024 } from './type-names-2024.ts';

/** 2024's bulk sync bodies: one `schedule` (required in requests) and the deprecated `discover`. */
const legacySchedule = (required: string[]) =>
  composed(
    withoutProperties('default_schedule', 'additional_schedules'),
    withProperties(
      {
        schedule: LegacyBulkSchedule,
        discover: Type.Boolean({ deprecated: true, description: 'Use automatically_add_new_objects/_fields.' }),
      },
      { required },
    ),
  );

export const change20240208: VersionChange = {
  version: '2024-02-08',
  description:
    '2024-02-08 has one route family for organizations and users, inferred from the credential; shares a connection with ' +
    'POST /api/connections/{parent_connection_id}/share; cancels a model-sync execution with PUT …/executions/{id}; and ' +
    'has GET /api/connections/{id}/modelsync/target. It lacks the proxy, console logs, entity lookup and the logs index. ' +
    'A 401 body is RestErrResponse rather than ApiError.',
  rules: [
    "A bulk sync's `schedule` converts to and from default_schedule + additional_schedules by the rules in docs/schedules.md. A 2025-09-18 configuration with no exact 2024-02-08 form shows only what 2024-02-08 can say truthfully: additional schedules scoped to schemas or carrying a resync_mode are left out of `schedule`, never widened.",
    'GET /api/bulk/syncs/{id}/schemas returns full BulkSchema items (with fields and filters); 2025-09-18 returns the light BulkSchemaListItem unless `include_fields=true`.',
    'GET /api/syncs returns every matching model sync as a full ModelSyncResponse, unpaginated (page_token and limit are ignored); 2025-09-18 pages light ListSyncItem items.',
    'GET /api/organizations answers a non-partner key with a list holding only its own organization (the 2024 doc: the result depends on the caller); 2025-09-18 needs a partner key.',
    'The plural routes /api/organizations/{org_id}/users… accept an organization-scoped key when org_id is its own organization (any other org_id answers 404); in 2025-09-18 they need a partner key (403).',
    "Model samples (GET /api/models/{id}/sample) need no conversion: 2024-02-08's V2SampleRecord is 2025-09-18's SampleRecord, each record mapping the model's id to its field → value object.",
    'A 401 body is `{code, error, status, context}` (RestErrResponse): code is the HTTP status, error the message, status the status text, context the ApiError metadata.',
  ],
  instructions: [
    // The SDK's type names of 2024-02-08, where they differ (the same shapes unless converted below).
    ...Object.entries(typeNames2024).map(([type, to]): VersionInstruction => ({ kind: 'type-renamed', type, to })),
    // Only in 2025-09-18.
    { kind: 'endpoint-added', route: 'GET /api/organization' },
    { kind: 'endpoint-added', route: 'GET /api/organization/users' },
    { kind: 'endpoint-added', route: 'POST /api/organization/users' },
    { kind: 'endpoint-added', route: 'GET /api/organization/users/{id}' },
    { kind: 'endpoint-added', route: 'PUT /api/organization/users/{id}' },
    { kind: 'endpoint-added', route: 'DELETE /api/organization/users/{id}' },
    { kind: 'endpoint-added', route: 'POST /api/organizations/{org_id}/connections/{connection_id}/shared' },
    { kind: 'endpoint-added', route: 'GET /api/organizations/{org_id}/connections/{connection_id}/shared' },
    { kind: 'endpoint-added', route: 'POST /api/syncs/{sync_id}/executions/{id}/cancel' },
    { kind: 'endpoint-added', route: 'GET /api/syncs/{sync_id}/executions/{id}/consolelog' },
    { kind: 'endpoint-added', route: 'GET /api/syncs/{sync_id}/executions/{id}/logs' },
    { kind: 'endpoint-added', route: 'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/consolelog' },
    {
      kind: 'endpoint-added',
      route: 'GET /api/bulk/syncs/{sync_id}/executions/{execution_id}/schemas/{schema_id}/consolelog',
    },
    { kind: 'endpoint-added', route: 'POST /api/connections/{id}/proxy' },
    { kind: 'endpoint-added', route: 'GET /api/connections/{id}/proxy/info' },
    { kind: 'endpoint-added', route: 'GET /api/entities/{id}' },
    { kind: 'endpoint-added', route: 'GET /api/organizations/entities/{id}' },
    { kind: 'endpoint-added', route: 'PATCH /api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}' },
    // Only in 2024-02-08 and older.
    { kind: 'endpoint-removed', route: 'GET /api/connections/{id}/modelsync/target' },
    { kind: 'endpoint-removed', route: 'PUT /api/syncs/{sync_id}/executions/{id}' },
    { kind: 'endpoint-removed', route: 'POST /api/connections/{parent_connection_id}/share' },
    // Credential scope: 2025-09-18 splits the organization and user endpoints by credential type (partner keys on
    // the plural routes); 2024-02-08 infers the organization from the credential.
    { kind: 'access-changed', route: 'GET /api/organizations', access: 'any' },
    { kind: 'access-changed', route: 'GET /api/organizations/{org_id}/users', access: 'any' },
    { kind: 'access-changed', route: 'POST /api/organizations/{org_id}/users', access: 'any' },
    { kind: 'access-changed', route: 'GET /api/organizations/{org_id}/users/{id}', access: 'any' },
    { kind: 'access-changed', route: 'PUT /api/organizations/{org_id}/users/{id}', access: 'any' },
    { kind: 'access-changed', route: 'DELETE /api/organizations/{org_id}/users/{id}', access: 'any' },
    // Bulk sync schedules: 2024-02-08's `schedule` ↔ default_schedule + additional_schedules (docs/schedules.md).
    {
      kind: 'type-converted',
      type: 'CreateBulkSyncRequest',
      up: upgradeBulkSyncRequest,
      schema: legacySchedule(['schedule']),
    },
    {
      kind: 'type-converted',
      type: 'UpdateBulkSyncRequest',
      up: upgradeBulkSyncRequest,
      schema: legacySchedule(['schedule']),
    },
    { kind: 'type-converted', type: 'BulkSyncResponse', down: downgradeBulkSyncResponse, schema: legacySchedule([]) },
    // 2024's deprecated `resync: true` means resync_mode rebuild.
    {
      kind: 'type-converted',
      type: 'StartBulkSyncRequest',
      up: (value) => {
        if (typeof value !== 'object' || value === null) return value;
        const { resync, ...rest } = value as Record<string, unknown>;
        return resync === true && rest.resync_mode === undefined ? { ...rest, resync_mode: 'rebuild' } : rest;
      },
      schema: withProperties({
        resync: Type.Boolean({ deprecated: true, description: 'Equivalent to resync_mode=rebuild.' }),
      }),
    },
    // 2024 lists a sync's schemas as full BulkSchema items.
    {
      kind: 'request-converted',
      route: 'GET /api/bulk/syncs/{id}/schemas',
      up: (request) => ({ ...request, query: { ...request.query, include_fields: true } }),
      schema: {
        query: (newer) => newer && withoutProperties('include_fields')(newer),
        response: withProperties({ data: Type.Array(BulkSchema) }),
      },
    },
    // 2024 lists model syncs as full ModelSyncResponse items, unpaginated.
    {
      kind: 'request-converted',
      route: 'GET /api/syncs',
      up: (request) => {
        const { page_token: _pageToken, limit: _limit, ...query } = request.query;
        return { ...request, query: { ...query, full_list: true } };
      },
      schema: { query: (newer) => newer && withoutProperties('page_token', 'limit')(newer) },
    },
    {
      kind: 'response-converted',
      route: 'GET /api/syncs',
      olderSchema: ListModelSyncResponseEnvelope,
    },
    // 2024 documents 401 bodies as RestErrResponse.
    {
      kind: 'error-converted',
      status: 401,
      down: (body) => ({
        code: body.status,
        error: body.message,
        status: 'Unauthorized',
        ...(body.metadata ? { context: body.metadata } : {}),
      }),
      olderSchema: Type.Object(
        {
          code: Type.Optional(Type.Integer()),
          context: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          error: Type.Optional(Type.String()),
          status: Type.Optional(Type.String()),
        },
        { title: 'RestErrResponse' },
      ),
    },
  ],
};
