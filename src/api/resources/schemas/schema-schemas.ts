// Wire shapes of a connection's schemas (the 2025-09-18 API reference; identical in 2024-02-08).
import Type from 'typebox';
import { Envelope } from '../envelope.ts';

const UtilFieldType = Type.Union(
  ['unknown', 'string', 'number', 'boolean', 'datetime', 'array', 'object', 'binary'].map((value) =>
    Type.Literal(value),
  ),
  { title: 'UtilFieldType' },
);

const SchemaField = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    type: Type.Optional(UtilFieldType),
    remote_type: Type.Optional(Type.String()),
    is_primary_key: Type.Optional(Type.Boolean()),
    association: Type.Optional(Type.Unknown()),
    type_spec: Type.Optional(Type.Unknown()),
    values: Type.Optional(
      Type.Array(
        Type.Object(
          { label: Type.Optional(Type.String()), value: Type.Optional(Type.String()) },
          { title: 'PickValue' },
        ),
      ),
    ),
  },
  { title: 'SchemaField' },
);

export const Schema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    fields: Type.Optional(Type.Array(SchemaField)),
  },
  { title: 'Schema' },
);

export const BulkSyncSourceSchemaEnvelope = Envelope('BulkSyncSourceSchemaEnvelope', Schema);

export const BulkSyncSourceStatusEnvelope = Envelope(
  'BulkSyncSourceStatusEnvelope',
  Type.Object(
    {
      cache_status: Type.Optional(Type.String()),
      last_refresh_started: Type.Optional(Type.String()),
      last_refresh_finished: Type.Optional(Type.String()),
    },
    { title: 'BulkSyncSourceStatus' },
  ),
);

export const SchemaRecordsResponseEnvelope = Type.Object(
  { data: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))) },
  { title: 'SchemaRecordsResponseEnvelope' },
);

/** Ferry's addition: how many sample rows (default 10, at most 100). */
export const SchemaRecordsQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });

// `type` is a plain string on the wire; the service checks it against UtilFieldType and answers 422 naming it.
const UserFieldRequest = Type.Object(
  {
    field_id: Type.String({ minLength: 1 }),
    label: Type.String(),
    type: Type.String(),
    path: Type.Optional(Type.String()),
    example: Type.Optional(Type.Unknown()),
  },
  { title: 'UserFieldRequest' },
);

export const UpsertSchemaFieldRequest = Type.Object(
  { fields: Type.Optional(Type.Array(UserFieldRequest)) },
  { title: 'UpsertSchemaFieldRequest' },
);

export const PatchSchemaFieldRequest = Type.Object(
  {
    label: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    path: Type.Optional(Type.String()),
    example: Type.Optional(Type.Unknown()),
  },
  { title: 'PatchSchemaFieldRequest', additionalProperties: false },
);

export const SchemaFieldEnvelope = Envelope('SchemaFieldEnvelope', SchemaField);

export const SetPrimaryKeysRequest = Type.Object(
  {
    fields: Type.Optional(
      Type.Array(
        Type.Object(
          { field_id: Type.String({ minLength: 1 }), is_primary_key: Type.Boolean() },
          { title: 'SchemaPrimaryKeyOverrideInput' },
        ),
      ),
    ),
  },
  { title: 'SetPrimaryKeysRequest' },
);

export const SchemaParams = Type.Object({ id: Type.String(), schema_id: Type.String() });
export const FieldsParams = Type.Object({ connection_id: Type.String(), schema_id: Type.String() });
export const FieldParams = Type.Object({
  connection_id: Type.String(),
  schema_id: Type.String(),
  field_id: Type.String(),
});
