// A bulk sync's schemas: list (light items in 2025-09-18; `include_fields=true` gives the full BulkSchema, which
// 2024-02-08 always gets through its version change), get, replace one, patch several.
import Type from 'typebox';
import type { AppContext } from '../../../app-context.ts';
import { notFound } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import type { BulkSchemaSettings, BulkSyncsService } from '../../../services/bulk-syncs-service.ts';
import { IdParams } from '../envelope.ts';
import {
  BulkSchema,
  BulkSchemaEnvelope,
  UpdateBulkSchema,
  UpdateBulkSyncSchemasRequest,
  UpdateBulkSyncSchemasEnvelope,
} from './bulk-sync-schemas.ts';
import { bulkSchemaToWire } from './bulk-sync-wire.ts';

const SchemaParams = Type.Object({ id: Type.String(), schema_id: Type.String() });

const ListBulkSchemaEnvelope = Type.Object(
  { data: Type.Optional(Type.Array(BulkSchema)) },
  { title: 'ListBulkSchemaEnvelope' },
);

export function bulkSchemaRoutes(_context: AppContext, bulkSyncs: BulkSyncsService): RouteDefinition[] {
  async function findSchema(sync: Awaited<ReturnType<BulkSyncsService['requireSync']>>, schemaId: string) {
    const schema = (await bulkSyncs.schemas(sync)).find((candidate) => candidate.id === schemaId);
    if (!schema) throw notFound('schema');
    return schema;
  }

  return [
    {
      operationId: 'bulkSync.schemas.list',
      method: 'GET',
      path: '/api/bulk/syncs/{id}/schemas',
      summary: "The sync's schemas: light items without fields and filters, unless include_fields=true.",
      access: 'organization',
      params: IdParams,
      query: Type.Object({ filters: Type.Optional(Type.String()), include_fields: Type.Optional(Type.Boolean()) }),
      response: ListBulkSchemaEnvelope,
      errors: [404],
      handler: async ({ caller, params, query }) => {
        const sync = await bulkSyncs.requireSync(caller, params.id);
        return {
          data: (await bulkSyncs.schemas(sync)).map((schema) =>
            bulkSchemaToWire(schema, Boolean(query.include_fields)),
          ),
        };
      },
    },
    {
      operationId: 'bulkSync.schemas.patch',
      method: 'PATCH',
      path: '/api/bulk/syncs/{id}/schemas',
      summary: 'Update several schemas, matched by id; only the listed schemas and the properties sent change.',
      access: 'organization',
      params: IdParams,
      body: UpdateBulkSyncSchemasRequest,
      response: UpdateBulkSyncSchemasEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, body }) => {
        const sync = await bulkSyncs.requireSync(caller, params.id);
        const known = new Set((await bulkSyncs.schemas(sync)).map((schema) => schema.id));
        for (const [index, schema] of (body.schemas ?? []).entries()) {
          if (!schema.id || !known.has(schema.id))
            throw notFound(`schemas[${index}]: schema ${schema.id ?? '(no id)'}`);
        }
        await bulkSyncs.checkSchemaOutputNames(sync, body.schemas ?? []);
        for (const schema of body.schemas ?? []) {
          const { id, output_name: _output, ...changes } = schema;
          await bulkSyncs.updateSchema(sync, id, changes as Partial<BulkSchemaSettings>, false);
        }
        const listed = new Set((body.schemas ?? []).map((schema: { id: string }) => schema.id));
        return {
          data: (await bulkSyncs.schemas(sync))
            .filter((schema) => listed.has(schema.id))
            .map((schema) => bulkSchemaToWire(schema, true)),
        };
      },
    },
    {
      operationId: 'bulkSync.schemas.get',
      method: 'GET',
      path: '/api/bulk/syncs/{id}/schemas/{schema_id}',
      summary: 'One schema of the sync, with its fields and filters.',
      access: 'organization',
      params: SchemaParams,
      response: BulkSchemaEnvelope,
      errors: [404],
      handler: async ({ caller, params }) => ({
        data: bulkSchemaToWire(
          await findSchema(await bulkSyncs.requireSync(caller, params.id), params.schema_id),
          true,
        ),
      }),
    },
    {
      operationId: 'bulkSync.schemas.update',
      method: 'PUT',
      path: '/api/bulk/syncs/{id}/schemas/{schema_id}',
      summary: "Replace one schema's settings.",
      access: 'organization',
      params: SchemaParams,
      body: UpdateBulkSchema,
      response: BulkSchemaEnvelope,
      // 422: a setting the destination cannot take (an output name it would cut, a timestamp that is none).
      errors: [403, 404, 422, 500],
      currentBody: async ({ caller, params }) => {
        const {
          id: _id,
          output_name: _output,
          ...settings
        } = await findSchema(await bulkSyncs.requireSync(caller, params.id), params.schema_id);
        return { ...settings };
      },
      handler: async ({ caller, params, body }) => {
        const sync = await bulkSyncs.requireSync(caller, params.id);
        await findSchema(sync, params.schema_id);
        await bulkSyncs.updateSchema(sync, params.schema_id, body, true);
        return { data: bulkSchemaToWire(await findSchema(sync, params.schema_id), true) };
      },
    },
  ];
}
