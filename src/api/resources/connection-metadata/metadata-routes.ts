// Connection metadata for the sync builders: bulk-sync source and destination, model source tables and fields,
// model-sync target objects, their fields and create properties, and the 2024-02-08 …/modelsync/target.
import type { RouteDefinition } from '../../route.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import type { ConnectionMetadata } from '../../../services/connection-metadata.ts';
import { IdParams } from '../envelope.ts';
import {
  BulkSyncDestEnvelope,
  BulkSyncSourceEnvelope,
  BulkSyncSourceQuery,
  GetConnectionMetaEnvelope,
  GetSyncSourceMetaEnvelope,
  LegacyTargetQuery,
  ModelFieldResponse,
  ParamsQuery,
  PropertyParams,
  TargetFieldsQuery,
  TargetObjectsResponseEnvelope,
  TargetPropertyValuesEnvelope,
  TargetResponseEnvelope,
} from './metadata-schemas.ts';

export function metadataRoutes(connections: ConnectionsService, metadata: ConnectionMetadata): RouteDefinition[] {
  const find = connections.requireConnection;
  return [
    {
      operationId: 'bulkSync.getSource',
      method: 'GET',
      path: '/api/connections/{id}/bulksync/source',
      summary: 'The connection as a bulk-sync source: its schemas (with fields when include_fields=true).',
      access: 'organization',
      params: IdParams,
      query: BulkSyncSourceQuery,
      response: BulkSyncSourceEnvelope,
      errors: [400, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: await metadata.bulkSource(await find(caller, params.id), query.include_fields === true),
      }),
    },
    {
      operationId: 'bulkSync.getDestination',
      method: 'GET',
      path: '/api/connections/{id}/bulksync/target',
      summary: 'The connection as a bulk-sync destination: modes (replicate, snapshot) and resync modes.',
      access: 'organization',
      params: IdParams,
      response: BulkSyncDestEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params }) => ({ data: await metadata.bulkDestination(await find(caller, params.id)) }),
    },
    {
      operationId: 'modelSync.getSource',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/source',
      summary: 'What a model on this connection can be built on: a SQL query, or one of the tables listed.',
      access: 'organization',
      params: IdParams,
      query: ParamsQuery,
      response: GetSyncSourceMetaEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: await metadata.modelSource(await find(caller, params.id), query.params),
      }),
    },
    {
      operationId: 'modelSync.getSourceFields',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/source/fields',
      summary: 'The fields of a model query or table, given as `params` ({"query":["…"]} or {"table":["…"]}).',
      access: 'organization',
      params: IdParams,
      query: ParamsQuery,
      response: ModelFieldResponse,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: await metadata.modelSourceFields(await find(caller, params.id), query.params),
      }),
    },
    {
      operationId: 'modelSync.targets.list',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/targetobjects',
      summary: 'The objects a model sync can write to, with the modes each supports.',
      access: 'organization',
      params: IdParams,
      response: TargetObjectsResponseEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params }) => metadata.targetObjects(await find(caller, params.id)),
    },
    {
      operationId: 'modelSync.targets.getTargetFields',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/target/fields',
      summary: "One target object's fields, with the identity functions each supports, and its modes.",
      access: 'organization',
      params: IdParams,
      query: TargetFieldsQuery,
      response: TargetResponseEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: await metadata.targetFields(await find(caller, params.id), query.target),
      }),
    },
    {
      operationId: 'modelSync.targets.getCreateProperty',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/targetobjects/properties/{property}',
      summary:
        "Values of a target-creation property. Ferry's targets cannot create objects, so this is a 404 (as the spec says for such connections).",
      access: 'organization',
      params: PropertyParams,
      response: TargetPropertyValuesEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params }) => metadata.createProperty(await find(caller, params.id), params.property),
    },
    {
      operationId: 'modelSync.targets.getTarget',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/target',
      summary: '2024-02-08 and older (deprecated there for …/targetobjects): the target objects, filtered by `search`.',
      access: 'organization',
      params: IdParams,
      query: LegacyTargetQuery,
      response: GetConnectionMetaEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, query }) => ({
        data: await metadata.legacyTarget(await find(caller, params.id), query.search),
      }),
    },
  ];
}
