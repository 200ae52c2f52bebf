// Wire shapes of bulk syncs (the 2025-09-18 API reference: BulkSyncResponse, CreateBulkSyncRequest, BulkSchema, …).
// Schedule fields are checked by src/domain/schedules (which names the field at fault); here they are loose objects.
import Type from 'typebox';
import { Envelope, ListEnvelope, PagedListEnvelope } from '../envelope.ts';
import { OutputActor } from '../connections/connection-schemas.ts';

const Discover = Type.Union([
  Type.Literal('all'),
  Type.Literal('onlyIncremental'),
  Type.Literal('onlyNonIncremental'),
  Type.Literal('none'),
]);
const NormalizeNames = Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('legacy')]);
const Mode = Type.Union([Type.Literal('replicate'), Type.Literal('snapshot')]);
const ScheduleObject = Type.Record(Type.String(), Type.Unknown());

const BulkFilter = Type.Object(
  { field_id: Type.Optional(Type.String()), function: Type.String(), value: Type.Optional(Type.Unknown()) },
  { title: 'BulkFilter' },
);

const BulkField = Type.Object(
  {
    id: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean()),
    obfuscated: Type.Optional(Type.Boolean()),
    output_name: Type.Optional(Type.String()),
    user_output_name: Type.Optional(Type.String()),
  },
  { title: 'BulkField' },
);

const schemaSettings = {
  data_cutoff_timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  disable_data_cutoff: Type.Optional(Type.Boolean()),
  enabled: Type.Optional(Type.Boolean()),
  partition_key: Type.Optional(Type.String()),
  tracking_field: Type.Optional(Type.String()),
  user_output_name: Type.Optional(Type.String()),
};

export const BulkSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    output_name: Type.Optional(Type.String()),
    ...schemaSettings,
    fields: Type.Optional(Type.Array(BulkField)),
    filters: Type.Optional(Type.Array(BulkFilter)),
  },
  { title: 'BulkSchema' },
);

const SchemaConfiguration = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    ...schemaSettings,
    fields: Type.Optional(Type.Array(Type.Union([Type.String(), BulkField]))),
    filters: Type.Optional(Type.Array(BulkFilter)),
  },
  { title: 'SchemaConfiguration' },
);

export const UpdateBulkSchema = Type.Object(
  { ...schemaSettings, fields: Type.Optional(Type.Array(BulkField)), filters: Type.Optional(Type.Array(BulkFilter)) },
  { title: 'bulkSync.UpdateBulkSchema' },
);

export const UpdateBulkSyncSchemasRequest = Type.Object(
  { schemas: Type.Optional(Type.Array(BulkSchema)) },
  { title: 'bulkSync.UpdateBulkSyncSchemasRequest' },
);

const syncFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  source_connection_id: Type.String({ minLength: 1 }),
  destination_connection_id: Type.String({ minLength: 1 }),
  source_configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  destination_configuration: Type.Record(Type.String(), Type.Unknown()),
  active: Type.Optional(Type.Boolean()),
  mode: Type.Optional(Mode),
  automatically_add_new_fields: Type.Optional(Discover),
  automatically_add_new_objects: Type.Optional(Discover),
  concurrency_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  resync_concurrency_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  data_cutoff_timestamp: Type.Optional(Type.String({ format: 'date-time' })),
  disable_record_timestamps: Type.Optional(Type.Boolean()),
  normalize_names: Type.Optional(NormalizeNames),
  organization_id: Type.Optional(Type.String()),
  policies: Type.Optional(Type.Array(Type.String())),
  schemas: Type.Optional(Type.Array(Type.Union([Type.String({ minLength: 1 }), SchemaConfiguration]))),
  default_schedule: ScheduleObject,
  additional_schedules: Type.Optional(Type.Array(ScheduleObject)),
};

export const CreateBulkSyncRequest = Type.Object(syncFields, { title: 'CreateBulkSyncRequest' });
export const UpdateBulkSyncRequest = Type.Object(syncFields, { title: 'UpdateBulkSyncRequest' });

const BulkSyncResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    organization_id: Type.Optional(Type.String()),
    active: Type.Optional(Type.Boolean()),
    mode: Type.Optional(Mode),
    source_connection_id: Type.Optional(Type.String()),
    destination_connection_id: Type.Optional(Type.String()),
    source_configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    destination_configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    automatically_add_new_fields: Type.Optional(Discover),
    automatically_add_new_objects: Type.Optional(Discover),
    concurrency_limit: Type.Optional(Type.Integer()),
    resync_concurrency_limit: Type.Optional(Type.Integer()),
    data_cutoff_timestamp: Type.Optional(Type.String()),
    disable_record_timestamps: Type.Optional(Type.Boolean()),
    normalize_names: Type.Optional(NormalizeNames),
    policies: Type.Optional(Type.Array(Type.String())),
    default_schedule: Type.Optional(ScheduleObject),
    additional_schedules: Type.Optional(Type.Array(ScheduleObject)),
    created_at: Type.Optional(Type.String()),
    created_by: Type.Optional(OutputActor),
    updated_at: Type.Optional(Type.String()),
    updated_by: Type.Optional(OutputActor),
  },
  { title: 'BulkSyncResponse' },
);

export const BulkSyncResponseEnvelope = Envelope('BulkSyncResponseEnvelope', BulkSyncResponse);
export const BulkSyncListEnvelope = PagedListEnvelope('BulkSyncListEnvelope', BulkSyncResponse);
export const BulkSchemaEnvelope = Envelope('BulkSchemaEnvelope', BulkSchema);
export const UpdateBulkSyncSchemasEnvelope = ListEnvelope('UpdateBulkSyncSchemasEnvelope', BulkSchema);
export const ActivateSyncInput = Type.Object({ active: Type.Boolean() }, { title: 'ActivateSyncInput' });
export const ActivateSyncEnvelope = Envelope(
  'ActivateSyncEnvelope',
  Type.Object(
    { active: Type.Optional(Type.Boolean()), id: Type.Optional(Type.String()) },
    { title: 'ActivateSyncOutput' },
  ),
);
