// A connection's schemas: the cached catalog, its refresh job, sample records and the user's field and
// primary-key overrides. Every route first finds the connection in the caller's organization.
import { Reply, type RouteDefinition } from '../../route.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import type { CatalogField, CatalogSchema, SchemaCatalog } from '../../../services/schema-catalog.ts';
import { IdParams } from '../envelope.ts';
import { JobResponseEnvelope } from '../jobs/job-schemas.ts';
import {
  BulkSyncSourceSchemaEnvelope,
  BulkSyncSourceStatusEnvelope,
  FieldParams,
  FieldsParams,
  PatchSchemaFieldRequest,
  SchemaFieldEnvelope,
  SchemaParams,
  SchemaRecordsQuery,
  SchemaRecordsResponseEnvelope,
  SetPrimaryKeysRequest,
  UpsertSchemaFieldRequest,
} from './schema-schemas.ts';

function fieldToWire(field: CatalogField) {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    remote_type: field.remote_type,
    is_primary_key: field.is_primary_key,
  };
}

function schemaToWire(schema: CatalogSchema) {
  return { id: schema.id, name: schema.name, fields: schema.fields.map(fieldToWire) };
}

export function schemaRoutes(connections: ConnectionsService, catalog: SchemaCatalog): RouteDefinition[] {
  return [
    {
      operationId: 'schemas.refresh',
      method: 'POST',
      path: '/api/connections/{id}/schemas/refresh',
      summary:
        'Start refreshing the schema catalog (asynchronous). Answers 202 at once, with Location pointing at …/schemas/status and the job in the body (GET /api/jobs/schemarefresh/{job_id}).',
      access: 'organization',
      params: IdParams,
      // Ferry answers the job it started; the SDK types the response void and ignores it.
      response: JobResponseEnvelope,
      successStatus: 202,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => {
        const row = await connections.requireConnection(caller, params.id);
        const job = await catalog.refresh(row);
        return new Reply(
          202,
          { data: { job_id: job.id, type: job.type, status: job.status } },
          { headers: { location: `/api/connections/${row.id}/schemas/status` } },
        );
      },
    },
    {
      operationId: 'schemas.getStatus',
      method: 'GET',
      path: '/api/connections/{id}/schemas/status',
      summary: 'The schema cache: empty, refreshing, fresh or failed, with the last refresh times.',
      access: 'organization',
      params: IdParams,
      response: BulkSyncSourceStatusEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => ({
        data: await catalog.status(await connections.requireConnection(caller, params.id)),
      }),
    },
    {
      operationId: 'schemas.get',
      method: 'GET',
      path: '/api/connections/{id}/schemas/{schema_id}',
      summary:
        'One schema with its fields, user overrides applied. Discovers the source first when the cache is empty.',
      access: 'organization',
      params: SchemaParams,
      response: BulkSyncSourceSchemaEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => ({
        data: schemaToWire(await catalog.get(await connections.requireConnection(caller, params.id), params.schema_id)),
      }),
    },
    {
      operationId: 'schemas.getRecords',
      method: 'GET',
      path: '/api/connections/{id}/schemas/{schema_id}/records',
      summary: 'Sample records of a schema: 10, or `limit` up to 100.',
      access: 'organization',
      params: SchemaParams,
      query: SchemaRecordsQuery,
      response: SchemaRecordsResponseEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: await catalog.records(
          await connections.requireConnection(caller, params.id),
          params.schema_id,
          query.limit,
        ),
      }),
    },
    {
      operationId: 'schemas.upsertField',
      method: 'POST',
      path: '/api/connections/{connection_id}/schemas/{schema_id}/fields',
      summary:
        'Add user fields to a schema, replacing user fields with the same field_id. A type outside UtilFieldType is a 422 naming the field.',
      access: 'organization',
      params: FieldsParams,
      body: UpsertSchemaFieldRequest,
      errors: [400, 404, 422, 500],
      handler: async ({ caller, params, body }) => {
        await catalog.upsertFields(
          await connections.requireConnection(caller, params.connection_id),
          params.schema_id,
          body.fields ?? [],
        );
        return undefined;
      },
    },
    {
      operationId: 'schemas.patchField',
      method: 'PATCH',
      path: '/api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}',
      summary:
        'Change only the properties sent (label, type, path, example) of one field: a user field in place, a discovered field as a kept override.',
      access: 'organization',
      params: FieldParams,
      body: PatchSchemaFieldRequest,
      response: SchemaFieldEnvelope,
      errors: [400, 404, 422, 500],
      handler: async ({ caller, params, body }) => {
        const field = await catalog.patchField(
          await connections.requireConnection(caller, params.connection_id),
          params.schema_id,
          params.field_id,
          body,
        );
        return { data: fieldToWire(field) };
      },
    },
    {
      operationId: 'schemas.deleteField',
      method: 'DELETE',
      path: '/api/connections/{connection_id}/schemas/{schema_id}/fields/{field_id}',
      summary: 'Delete a user field (a discovered field loses its overrides instead).',
      access: 'organization',
      params: FieldParams,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => {
        await catalog.deleteField(
          await connections.requireConnection(caller, params.connection_id),
          params.schema_id,
          params.field_id,
        );
        return undefined;
      },
    },
    {
      operationId: 'schemas.setPrimaryKeys',
      method: 'PUT',
      path: '/api/connections/{connection_id}/schemas/{schema_id}/primary_keys',
      summary: 'Set or clear the primary-key flag of the fields named; the others keep theirs.',
      access: 'organization',
      params: FieldsParams,
      body: SetPrimaryKeysRequest,
      errors: [400, 404, 500],
      handler: async ({ caller, params, body }) => {
        await catalog.setPrimaryKeys(
          await connections.requireConnection(caller, params.connection_id),
          params.schema_id,
          body.fields ?? [],
        );
        return undefined;
      },
    },
    {
      operationId: 'schemas.resetPrimaryKeys',
      method: 'DELETE',
      path: '/api/connections/{connection_id}/schemas/{schema_id}/primary_keys',
      summary: 'Back to the primary keys the source reports.',
      access: 'organization',
      params: FieldsParams,
      errors: [400, 404, 500],
      handler: async ({ caller, params }) => {
        await catalog.resetPrimaryKeys(
          await connections.requireConnection(caller, params.connection_id),
          params.schema_id,
        );
        return undefined;
      },
    },
  ];
}
