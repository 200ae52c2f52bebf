// Wire shapes of model syncs (the 2025-09-18 API reference: CreateSyncRequest, SyncResponse, ListSyncItem, …). The
// schedule is a loose object here: src/domain/schedules checks it and names the field at fault.
import Type from 'typebox';
import { Envelope, PagedListEnvelope } from '../envelope.ts';
import { OutputActor } from '../connections/connection-schemas.ts';
import { FilterFunction, IdentityFunction, SyncMode } from '../../../engine/model-sync/model-sync-plan.ts';

const literals = (values: readonly string[]) => Type.Union(values.map((value) => Type.Literal(value)));

const ModelsyncSyncTargetMode = Type.Union(
  Object.values(SyncMode).map((mode) => Type.Literal(mode)),
  { title: 'ModelsyncSyncTargetMode' },
);
const FilterFunctionSchema = literals(Object.values(FilterFunction));

const Source = Type.Object(
  { field: Type.String({ minLength: 1 }), model_id: Type.String({ minLength: 1 }) },
  { title: 'Source' },
);

const SyncField = Type.Object(
  {
    target: Type.String({ minLength: 1 }),
    source: Type.Optional(Source),
    override_value: Type.Optional(Type.String()),
    new: Type.Optional(Type.Boolean()),
    encryption_enabled: Type.Optional(Type.Boolean()),
    sync_mode: Type.Optional(Type.String()),
  },
  { title: 'SyncField' },
);

const Identity = Type.Object(
  {
    source: Source,
    target: Type.String({ minLength: 1 }),
    function: literals(Object.values(IdentityFunction)),
    new_field: Type.Optional(Type.Boolean()),
    remote_field_type_id: Type.Optional(Type.String()),
  },
  { title: 'Identity' },
);

const Filter = Type.Object(
  {
    field: Type.Optional(Source),
    field_id: Type.Optional(Type.String()),
    field_type: Type.Optional(Type.Union([Type.Literal('Model'), Type.Literal('Target')])),
    function: FilterFunctionSchema,
    label: Type.Optional(Type.String()),
    value: Type.Optional(Type.Unknown()),
  },
  { title: 'Filter' },
);

const Override = Type.Object(
  {
    field: Type.Optional(Source),
    field_id: Type.Optional(Type.String()),
    function: Type.Optional(FilterFunctionSchema),
    override: Type.Optional(Type.Unknown()),
    value: Type.Optional(Type.Unknown()),
  },
  { title: 'Override' },
);

const Target = Type.Object(
  {
    connection_id: Type.String({ minLength: 1 }),
    object: Type.Optional(Type.String()),
    configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    create: Type.Optional(Type.Record(Type.String(), Type.String())),
    filter_logic: Type.Optional(Type.String()),
    new_name: Type.Optional(Type.String()),
    search_values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { title: 'Target' },
);

const Schedule = Type.Record(Type.String(), Type.Unknown(), { title: 'Schedule' });

const syncFields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  mode: ModelsyncSyncTargetMode,
  active: Type.Optional(Type.Boolean()),
  fields: Type.Array(SyncField),
  override_fields: Type.Optional(Type.Array(SyncField)),
  overrides: Type.Optional(Type.Array(Override)),
  filters: Type.Optional(Type.Array(Filter)),
  filter_logic: Type.Optional(Type.String()),
  identity: Type.Optional(Identity),
  target: Target,
  schedule: Schedule,
  only_enrich_updates: Type.Optional(Type.Boolean()),
  skip_initial_backfill: Type.Optional(Type.Boolean()),
  sync_all_records: Type.Optional(Type.Boolean()),
  policies: Type.Optional(Type.Array(Type.String())),
  encryption_passphrase: Type.Optional(Type.String()),
  organization_id: Type.Optional(Type.String()),
};

export const CreateSyncRequest = Type.Object(syncFields, { title: 'CreateSyncRequest' });
export const UpdateSyncRequest = Type.Object(syncFields, { title: 'UpdateSyncRequest' });

/** What ListSyncItem and SyncResponse share. */
const commonResponseFields = {
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  organization_id: Type.Optional(Type.String()),
  active: Type.Optional(Type.Boolean()),
  model_ids: Type.Optional(Type.Array(Type.String())),
  schedule: Type.Optional(Schedule),
  only_enrich_updates: Type.Optional(Type.Boolean()),
  skip_initial_backfill: Type.Optional(Type.Boolean()),
  sync_all_records: Type.Optional(Type.Boolean()),
  created_at: Type.Optional(Type.String()),
  created_by: Type.Optional(OutputActor),
  updated_at: Type.Optional(Type.String()),
  updated_by: Type.Optional(OutputActor),
};

const SyncResponse = Type.Object(
  {
    ...commonResponseFields,
    mode: Type.Optional(ModelsyncSyncTargetMode),
    fields: Type.Optional(Type.Array(SyncField)),
    override_fields: Type.Optional(Type.Array(SyncField)),
    overrides: Type.Optional(Type.Array(Override)),
    filters: Type.Optional(Type.Array(Filter)),
    filter_logic: Type.Optional(Type.String()),
    identity: Type.Optional(Identity),
    target: Type.Optional(Target),
    policies: Type.Optional(Type.Array(Type.String())),
    encryption_passphrase: Type.Optional(Type.String()),
  },
  { title: 'SyncResponse' },
);

const ListSyncItem = Type.Object(
  {
    ...commonResponseFields,
    mode: Type.Optional(Type.String()),
    target_connection_id: Type.Optional(Type.String()),
    target_object: Type.Optional(Type.String()),
  },
  { title: 'ListSyncItem' },
);

export const SyncResponseEnvelope = Envelope('SyncResponseEnvelope', SyncResponse);

export const ListSyncResponseEnvelope = PagedListEnvelope('ListSyncResponseEnvelope', ListSyncItem);

/** 2024-02-08: the full items, no pagination. */
export const ListModelSyncResponseEnvelope = Type.Object(
  { data: Type.Optional(Type.Array(SyncResponse)) },
  { title: 'ListModelSyncResponseEnvelope' },
);

export const ModelSyncListQuery = Type.Object({
  active: Type.Optional(Type.Boolean()),
  mode: Type.Optional(ModelsyncSyncTargetMode),
  target_connection_id: Type.Optional(Type.String()),
  page_token: Type.Optional(Type.String()),
  /** Default 50; 0 or less means the default (endpoints.tsv). */
  limit: Type.Optional(Type.Integer({ maximum: 50 })),
  /**
   * Set by the 2024-02-08 version change (every matching sync as a full SyncResponse, unpaginated). Not in the
   * documents: the response schema of this route is the light list, and this flag is how 2024-02-08 is served.
   */
  full_list: Type.Optional(Type.Boolean({ 'x-ferry-internal': true })),
});

const ScheduleScheduleOption = Type.Object(
  {
    frequency: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    configuration: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { title: 'ScheduleScheduleOption' },
);

export const ScheduleOptionResponseEnvelope = Envelope(
  'ScheduleOptionResponseEnvelope',
  Type.Object(
    { schedule_options: Type.Optional(Type.Array(ScheduleScheduleOption)) },
    { title: 'ScheduleOptionResponse' },
  ),
);
