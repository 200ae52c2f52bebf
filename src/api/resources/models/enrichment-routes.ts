// Enrichment: a connection that adds fields to a model's records during a sync. None of Ferry's connectors is an
// enricher, so every connection answers as the spec says for connections that cannot enrich: the enrichment
// source is a 404, and the input-field sets are an empty list (docs/models.md).
import type { RouteDefinition } from '../../route.ts';
import { ApiError } from '../../errors.ts';
import type { ConnectionsService } from '../../../services/connections-service.ts';
import { parseParams } from '../../../services/connection-metadata.ts';
import { GetSyncSourceMetaEnvelope, ParamsQuery } from '../connection-metadata/metadata-schemas.ts';
import { IdParams } from '../envelope.ts';
import {
  ConnectionIdParams,
  EnrichmentInputFieldsRequest,
  GetEnrichmentInputFieldsResponseEnvelope,
} from './model-schemas.ts';

export function enrichmentRoutes(connections: ConnectionsService): RouteDefinition[] {
  return [
    {
      operationId: 'models.getEnrichmentSource',
      method: 'GET',
      path: '/api/connections/{id}/modelsync/enrichment-source',
      summary:
        "The enrichment configuration a connection accepts. Ferry's connectors cannot enrich, so an existing connection answers 404 with reason enrichment_unsupported.",
      access: 'organization',
      params: IdParams,
      query: ParamsQuery,
      response: GetSyncSourceMetaEnvelope,
      errors: [400, 403, 404, 500],
      handler: async ({ caller, params, query }) => {
        const row = await connections.requireConnection(caller, params.id);
        parseParams(query.params);
        throw new ApiError(
          'not_found',
          `Connection "${row.name}" (type ${row.type}) cannot enrich models: no Ferry connector is an enricher.`,
          {
            metadata: { reason: 'enrichment_unsupported', type: row.type },
          },
        );
      },
    },
    {
      operationId: 'models.post',
      method: 'POST',
      path: '/api/enrichment/{connection_id}/inputfields',
      summary:
        "The input-field sets an enrichment configuration needs: always none, since Ferry's connectors cannot enrich.",
      access: 'organization',
      params: ConnectionIdParams,
      body: EnrichmentInputFieldsRequest,
      response: GetEnrichmentInputFieldsResponseEnvelope,
      errors: [403, 404, 500],
      handler: async ({ caller, params }) => {
        await connections.requireConnection(caller, params.connection_id);
        return { data: [] };
      },
    },
  ];
}
