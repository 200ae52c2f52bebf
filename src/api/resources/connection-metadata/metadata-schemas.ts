// Wire shapes of connection metadata for sync builders (the 2025-09-18 API reference; the 2024-02-08 shapes are the
// same under older type names, V4… and GetModelSyncSourceMetaEnvelope).
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';
import { Schema } from '../schemas/schema-schemas.ts';

const Json = Type.Record(Type.String(), Type.Unknown());

export const BulkSyncSourceEnvelope = Envelope(
  'BulkSyncSourceEnvelope',
  Type.Object(
    {
      capabilities: Type.Optional(
        Type.Object(
          { supports_tracking_fields: Type.Optional(Type.Boolean()) },
          { title: 'BulkSyncSourceCapabilities' },
        ),
      ),
      configuration: Type.Optional(Type.Unknown()),
      schemas: Type.Optional(Type.Array(Schema)),
    },
    { title: 'BulkSyncSource' },
  ),
);

export const BulkSyncSourceQuery = Type.Object({ include_fields: Type.Optional(Type.Boolean()) });

const SupportedBulkMode = Type.Object(
  {
    id: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    requires_identity: Type.Optional(Type.Boolean()),
    supports_field_sync_mode: Type.Optional(Type.Boolean()),
    supports_target_filters: Type.Optional(Type.Boolean()),
  },
  { title: 'SupportedBulkMode' },
);

export const BulkSyncDestEnvelope = Envelope(
  'BulkSyncDestEnvelope',
  Type.Object(
    {
      configuration: Type.Optional(Json),
      modes: Type.Optional(Type.Array(SupportedBulkMode)),
      supported_resync_modes: Type.Optional(Type.Array(Type.String())),
    },
    { title: 'BulkSyncDest' },
  ),
);

const ConfigurationValue = Type.Object(
  { items: Type.Optional(Type.Array(Type.Unknown())), type: Type.Optional(Type.String()) },
  { title: 'ConfigurationValue' },
);
const SourceMeta = Type.Object(
  {
    has_items: Type.Optional(Type.Boolean()),
    items: Type.Optional(Type.Array(Type.Unknown())),
    requires_one_of: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'SourceMeta' },
);

export const GetSyncSourceMetaEnvelope = Envelope(
  'GetSyncSourceMetaEnvelope',
  Type.Object(
    {
      configuration: Type.Optional(Type.Record(Type.String(), ConfigurationValue)),
      items: Type.Optional(Type.Record(Type.String(), SourceMeta)),
      requires_one_of: Type.Optional(Type.Array(Type.String())),
    },
    { title: 'SyncSourceMetaResponse' },
  ),
);

/** 2024-02-08 only: GET …/modelsync/target. */
export const GetConnectionMetaEnvelope = Envelope(
  'GetConnectionMetaEnvelope',
  Type.Object(
    {
      configuration: Type.Optional(Type.Record(Type.String(), ConfigurationValue)),
      items: Type.Optional(
        Type.Record(
          Type.String(),
          Type.Object(
            {
              has_items: Type.Optional(Type.Boolean()),
              items: Type.Optional(Type.Array(Type.Unknown())),
              requires_one_of: Type.Optional(Type.Array(Type.String())),
            },
            { title: 'ConnectionMeta' },
          ),
        ),
      ),
      requires_one_of: Type.Optional(Type.Array(Type.String())),
    },
    { title: 'ConnectionMetaResponse' },
  ),
);

export const LegacyTargetQuery = Type.Object({
  type: Type.Optional(Type.String()),
  search: Type.Optional(Type.String()),
});

/** `params` is a JSON-encoded Record<string, string[]> (in every version: docs/wire-format.md). */
export const ParamsQuery = Type.Object({
  params: Type.Optional(
    Type.String({ description: 'JSON object, e.g. {"query":["select * from users"]} or {"table":["public.users"]}' }),
  ),
});

export const ModelField = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    remote_type: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    example: Type.Optional(Type.Unknown()),
    unique: Type.Optional(Type.Boolean()),
    user_added: Type.Optional(Type.Boolean()),
    created_at: Type.Optional(Type.String()),
    updated_at: Type.Optional(Type.String()),
  },
  { title: 'ModelField' },
);

export const ModelFieldResponse = ListEnvelope('ModelFieldResponse', ModelField);

const SupportedMode = Type.Object(
  {
    id: Type.Optional(Type.String()),
    requires_identity: Type.Optional(Type.Boolean()),
    supports_per_field_mode: Type.Optional(Type.Boolean()),
    supports_target_filters: Type.Optional(Type.Boolean()),
  },
  { title: 'SupportedMode' },
);

const TargetCreateInput = Type.Object(
  { enum: Type.Optional(Type.Boolean()), id: Type.Optional(Type.String()), title: Type.Optional(Type.String()) },
  { title: 'TargetCreateInput' },
);

export const TargetObjectsResponseEnvelope = Type.Object(
  {
    data: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Type.Optional(Type.String()),
            name: Type.Optional(Type.String()),
            modes: Type.Optional(Type.Array(SupportedMode)),
          },
          { title: 'TargetObject' },
        ),
      ),
    ),
    target_creation: Type.Optional(
      Type.Object(
        { properties: Type.Optional(Type.Array(TargetCreateInput)), supported: Type.Optional(Type.Boolean()) },
        { title: 'TargetCreator' },
      ),
    ),
  },
  { title: 'TargetObjectsResponseEnvelope' },
);

const TargetField = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    source_type: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    required: Type.Optional(Type.Boolean()),
    createable: Type.Optional(Type.Boolean()),
    updateable: Type.Optional(Type.Boolean()),
    filterable: Type.Optional(Type.Boolean()),
    association: Type.Optional(Type.Boolean()),
    encryptable: Type.Optional(Type.Boolean()),
    supports_identity: Type.Optional(Type.Boolean()),
    identity_functions: Type.Optional(
      Type.Array(
        Type.Object(
          { id: Type.Optional(Type.String()), label: Type.Optional(Type.String()) },
          { title: 'IdentityFunction' },
        ),
      ),
    ),
  },
  { title: 'TargetField' },
);

const Mode = Type.Object(
  {
    mode: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    requires_identity: Type.Optional(Type.Boolean()),
    supports_field_sync_mode: Type.Optional(Type.Boolean()),
    supports_target_filters: Type.Optional(Type.Boolean()),
  },
  { title: 'Mode' },
);

export const TargetResponseEnvelope = Envelope(
  'TargetResponseEnvelope',
  Type.Object(
    {
      id: Type.Optional(Type.String()),
      name: Type.Optional(Type.String()),
      fields: Type.Optional(Type.Array(TargetField)),
      modes: Type.Optional(Type.Array(Mode)),
      properties: Type.Optional(Json),
      refreshed_at: Type.Optional(Type.String()),
    },
    { title: 'TargetResponse' },
  ),
);

export const TargetFieldsQuery = Type.Object({
  target: Type.String({ minLength: 1 }),
  refresh: Type.Optional(Type.Boolean()),
});

export const TargetPropertyValuesEnvelope = Envelope(
  'TargetPropertyValuesEnvelope',
  Type.Object(
    {
      enum: Type.Optional(Type.Boolean()),
      id: Type.Optional(Type.String()),
      title: Type.Optional(Type.String()),
      values: Type.Optional(
        Type.Array(
          Type.Object(
            { label: Type.Optional(Type.String()), value: Type.Optional(Type.String()) },
            { title: 'UtilEnumValue' },
          ),
        ),
      ),
    },
    { title: 'TargetPropertyValues' },
  ),
);

export const PropertyParams = Type.Object({ id: Type.String(), property: Type.String() });
