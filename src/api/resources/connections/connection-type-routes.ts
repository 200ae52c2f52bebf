// Connection types: what can be connected, and each type's configuration as JSON Schema.
import type { AppContext } from '../../../app-context.ts';
import { ApiError, notFound } from '../../errors.ts';
import type { RouteDefinition } from '../../route.ts';
import { IdParams } from '../envelope.ts';
import Type from 'typebox';
import {
  ConnectionTypeResponseEnvelope,
  JsonschemaSchema,
  ParameterValuesEnvelope,
  TypeParameterValuesRequest,
} from './connection-schemas.ts';
import { connectionTypeToWire } from './connection-wire.ts';

export function connectionTypeRoutes(context: AppContext): RouteDefinition[] {
  return [
    {
      operationId: 'connections.getTypes',
      method: 'GET',
      path: '/api/connection_types',
      summary:
        'Every connection type this Ferry serves, with its configuration form (JSON Schema; secret settings are marked x-sensitive).',
      // Catalogue data with no tenant in it; the official 2025-09-18 client sends no key for it.
      access: 'optional',
      response: ConnectionTypeResponseEnvelope,
      errors: [500],
      handler: async () => ({ data: context.connectors.list().map(connectionTypeToWire) }),
    },
    {
      operationId: 'connections.getConnectionTypeSchema',
      method: 'GET',
      path: '/api/connection_types/{id}',
      summary: "A connection type's configuration as JSON Schema.",
      access: 'optional',
      params: IdParams,
      response: JsonschemaSchema,
      errors: [404, 500],
      handler: async ({ params }) => {
        const connector = context.connectors.get(params.id);
        if (!connector) throw notFound('connection type');
        return {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          title: connector.name,
          ...connector.configurationSchema,
        };
      },
    },
    {
      operationId: 'connections.getTypeParameterValues',
      method: 'POST',
      path: '/api/connection_types/{type}/parameter_values',
      summary:
        "Values a configuration field can take. Ferry's connectors have free-form fields, so the list is empty; unknown types and fields are errors.",
      access: 'any',
      params: Type.Object({ type: Type.String() }),
      body: TypeParameterValuesRequest,
      response: ParameterValuesEnvelope,
      errors: [400, 404, 500],
      handler: async ({ params, body }) => {
        const connector = context.connectors.get(params.type);
        if (!connector) throw notFound('connection type');
        if (!(body.field in connector.configurationSchema.properties)) {
          throw new ApiError('validation_failed', `field: ${connector.type} has no setting "${body.field}"`, {
            metadata: { field: 'field' },
          });
        }
        return { data: { [body.field]: { allows_creation: false, values: [] } } };
      },
    },
  ];
}
