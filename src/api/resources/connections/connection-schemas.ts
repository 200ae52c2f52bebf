// Wire shapes of connection types and connections (the 2025-09-18 API reference).
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';

export const OutputActor = Type.Object(
  { id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), type: Type.Optional(Type.String()) },
  { title: 'OutputActor' },
);

const ConnectionTypeSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    logo_url: Type.Optional(Type.String()),
    operations: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'ConnectionTypeSchema' },
);

const Configuration = Type.Record(Type.String(), Type.Unknown(), { description: 'Secret values are never returned.' });

/** The fields ConnectionResponseSchema and CreateConnectionResponseSchema share. */
const connectionResponseFields = {
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  organization_id: Type.Optional(Type.String()),
  configuration: Type.Optional(Configuration),
  type: Type.Optional(ConnectionTypeSchema),
  status: Type.Optional(Type.String()),
  status_error: Type.Optional(Type.String()),
  saved: Type.Optional(Type.Boolean()),
  policies: Type.Optional(Type.Array(Type.String())),
};

const ConnectionResponse = Type.Object(
  {
    ...connectionResponseFields,
    parent_connection_id: Type.Optional(Type.String()),
    api_calls_last_24_hours: Type.Optional(Type.Integer()),
    created_at: Type.Optional(Type.String()),
    created_by: Type.Optional(OutputActor),
    updated_at: Type.Optional(Type.String()),
    updated_by: Type.Optional(OutputActor),
  },
  { title: 'ConnectionResponseSchema' },
);

const CreateConnectionResponse = Type.Object(
  {
    ...connectionResponseFields,
    healthcheck_interval: Type.Optional(Type.String()),
    auth_code: Type.Optional(Type.String()),
    auth_url: Type.Optional(Type.String()),
  },
  { title: 'CreateConnectionResponseSchema' },
);

export const ConnectionResponseEnvelope = Envelope('ConnectionResponseEnvelope', ConnectionResponse);
export const ConnectionListResponseEnvelope = ListEnvelope('ConnectionListResponseEnvelope', ConnectionResponse);
export const CreateConnectionResponseEnvelope = Envelope('CreateConnectionResponseEnvelope', CreateConnectionResponse);

const connectionBody = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  configuration: Configuration,
  organization_id: Type.Optional(
    Type.String({ description: 'Partner keys: the organization to act in (default: the owner organization).' }),
  ),
  policies: Type.Optional(Type.Array(Type.String())),
  healthcheck_interval: Type.Optional(Type.String()),
  validate: Type.Optional(Type.Boolean({ description: 'Refuse to save (422) when the connection test fails.' })),
};

export const CreateConnectionRequest = Type.Object(
  { ...connectionBody, type: Type.String({ minLength: 1 }), redirect_url: Type.Optional(Type.String()) },
  { title: 'CreateConnectionRequestSchema' },
);

export const UpdateConnectionRequest = Type.Object(
  { ...connectionBody, type: Type.Optional(Type.String()), reconnect: Type.Optional(Type.Boolean()) },
  { title: 'UpdateConnectionRequestSchema' },
);

export const TestConnectionRequest = Type.Object(
  { type: Type.String({ minLength: 1 }), configuration: Configuration, connection_id: Type.Optional(Type.String()) },
  { title: 'TestConnectionRequest' },
);

export const DeleteConnectionQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });

const BackendConnectionCapabilities = Type.Object(
  { source: Type.Boolean(), destination: Type.Boolean(), enrichment: Type.Boolean(), orchestration: Type.Boolean() },
  { title: 'BackendConnectionCapabilities' },
);

const ConnectionType = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    capabilities: BackendConnectionCapabilities,
    configurationForm: Type.Optional(
      Type.Object(
        { jsonschema: Type.Optional(Type.Unknown()), uischema: Type.Optional(Type.Unknown()) },
        { title: 'ConnectionForm' },
      ),
    ),
    envConfig: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    initialConfiguration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    logo_url: Type.Optional(Type.String()),
    use_oauth: Type.Optional(Type.Boolean()),
  },
  { title: 'ConnectionType' },
);

export const ConnectionTypeResponseEnvelope = ListEnvelope('ConnectionTypeResponseEnvelope', ConnectionType);
export const JsonschemaSchema = Type.Record(Type.String(), Type.Unknown(), { title: 'JsonschemaSchema' });

export const ParameterValuesEnvelope = Type.Object(
  {
    data: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            allows_creation: Type.Optional(Type.Boolean()),
            values: Type.Optional(
              Type.Array(
                Type.Object(
                  { label: Type.Optional(Type.String()), value: Type.Optional(Type.Unknown()) },
                  { title: 'ConnectionParameterValue' },
                ),
              ),
            ),
          },
          { title: 'ConnectionParameterValuesResp' },
        ),
      ),
    ),
  },
  { title: 'ConnectionParameterValuesResponseEnvelope' },
);

export const TypeParameterValuesRequest = Type.Object(
  {
    field: Type.String({ minLength: 1 }),
    connection_id: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    query: Type.Optional(Type.String()),
  },
  { title: 'GetConnectionTypeParameterValuesRequestSchema' },
);

export const SharedConnectionRequest = Type.Object(
  { child_organization_id: Type.String({ minLength: 1 }), name: Type.Optional(Type.String({ minLength: 1 })) },
  { title: 'PartnerCreateSharedConnectionRequestSchema' },
);

export const CreateSharedConnectionResponseEnvelope = Envelope(
  'CreateSharedConnectionResponseEnvelope',
  Type.Object({ id: Type.Optional(Type.String()) }, { title: 'CreateSharedConnectionResponseSchema' }),
);

export const ConnectCardRequest = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    redirect_url: Type.String({ minLength: 1 }),
    type: Type.Optional(Type.String()),
    whitelist: Type.Optional(Type.Array(Type.String())),
    organization_id: Type.Optional(Type.String()),
    connection: Type.Optional(Type.String()),
    dark: Type.Optional(Type.Boolean()),
  },
  { title: 'ConnectCardRequest' },
);

export const ConnectCardResponseEnvelope = Envelope(
  'ConnectCardResponseEnvelope',
  Type.Object(
    { redirect_url: Type.Optional(Type.String()), token: Type.Optional(Type.String()) },
    { title: 'ConnectCardResponse' },
  ),
);

/** Ferry's body for a passed test (the SDK types the endpoint as void and ignores it). */
export const TestConnectionResponseEnvelope = Envelope(
  'TestConnectionResponseEnvelope',
  Type.Object({ status: Type.Optional(Type.String()) }),
);
