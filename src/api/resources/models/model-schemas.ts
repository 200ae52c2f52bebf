// Wire shapes of models (the 2025-09-18 API reference; identical in 2024-02-08).
import Type from 'typebox';
import { OutputActor } from '../connections/connection-schemas.ts';
import { ModelField } from '../connection-metadata/metadata-schemas.ts';
import { Envelope, ListEnvelope } from '../envelope.ts';
import { JobResponse } from '../jobs/job-schemas.ts';

const Json = Type.Record(Type.String(), Type.Unknown());

const Enrichment = Type.Object(
  {
    configuration: Type.Optional(Json),
    connection_id: Type.Optional(Type.String()),
    enricher_id: Type.Optional(Type.String()),
    fields: Type.Optional(Type.Array(ModelField)),
    mappings: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { title: 'Enrichment' },
);

const ModelRelation = Type.Object(
  {
    from: Type.Optional(Type.String()),
    to: Type.Optional(
      Type.Object(
        { field: Type.Optional(Type.String()), model_id: Type.Optional(Type.String()) },
        { title: 'ModelRelationTo' },
      ),
    ),
  },
  { title: 'ModelRelation' },
);

const Relation = Type.Object(
  {
    from: Type.Optional(Type.String()),
    to: Type.Optional(
      Type.Object(
        { field: Type.Optional(Type.String()), model_id: Type.Optional(Type.String()) },
        { title: 'RelationTo' },
      ),
    ),
  },
  { title: 'Relation' },
);

const ModelModelFieldRequest = Type.Object(
  { name: Type.String(), label: Type.String(), type: Type.String(), example: Type.Optional(Type.String()) },
  { title: 'ModelModelFieldRequest' },
);

const modelRequestFields = {
  name: Type.String(),
  connection_id: Type.String(),
  configuration: Type.Record(Type.String(), Type.Unknown(), {
    description: '{"query": "SQL"} or {"table": "<table id from GET /api/connections/{id}/modelsync/source>"}',
  }),
  organization_id: Type.Optional(Type.String()),
  identifier: Type.Optional(Type.String()),
  fields: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Restricts the model to these fields of its SQL; all of them when omitted.',
    }),
  ),
  additional_fields: Type.Optional(Type.Array(ModelModelFieldRequest)),
  labels: Type.Optional(Type.Array(Type.String())),
  tracking_columns: Type.Optional(Type.Array(Type.String())),
  policies: Type.Optional(Type.Array(Type.String())),
  relations: Type.Optional(Type.Array(ModelRelation)),
  enricher: Type.Optional(Enrichment),
};

export const CreateModelRequest = Type.Object(modelRequestFields, { title: 'CreateModelRequest' });

export const UpdateModelRequest = Type.Object(
  {
    ...modelRequestFields,
    refresh: Type.Optional(Type.Boolean({ description: 'Accepted; fields are always detected again on update.' })),
  },
  { title: 'UpdateModelRequest' },
);

const ModelResponse = Type.Object(
  {
    id: Type.Optional(Type.String()),
    organization_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    connection_id: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    configuration: Type.Optional(Json),
    identifier: Type.Optional(Type.String()),
    fields: Type.Optional(Type.Array(ModelField)),
    labels: Type.Optional(Type.Array(Json, { title: 'LabelLabel' })),
    tracking_columns: Type.Optional(Type.Array(Type.String())),
    policies: Type.Optional(Type.Array(Type.String())),
    relations: Type.Optional(Type.Array(Relation)),
    enricher: Type.Optional(Enrichment),
    version: Type.Optional(Type.Integer()),
    created_at: Type.Optional(Type.String()),
    created_by: Type.Optional(OutputActor),
    updated_at: Type.Optional(Type.String()),
    updated_by: Type.Optional(OutputActor),
  },
  { title: 'ModelResponse' },
);

export const ModelResponseEnvelope = Type.Object(
  { data: Type.Optional(ModelResponse), job: Type.Optional(JobResponse) },
  { title: 'ModelResponseEnvelope' },
);

export const ModelListResponseEnvelope = ListEnvelope('ModelListResponseEnvelope', ModelResponse);

const ModelSample = Type.Object(
  {
    records: Type.Optional(
      Type.Array(
        Type.Record(Type.String(), Json, {
          title: 'SampleRecord',
          description: "One record: the model's id → its field ids → values (an enricher's fields under its own id).",
        }),
      ),
    ),
    warnings: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'ModelSample' },
);

export const ModelSampleResponseEnvelope = Type.Object(
  { data: Type.Optional(ModelSample), job: Type.Optional(JobResponse) },
  { title: 'ModelSampleResponseEnvelope' },
);

export const AsyncQuery = Type.Object({
  async: Type.Optional(
    Type.Boolean({ description: 'Answer at once with `job`; poll GET /api/jobs/{type}/{id} for the result.' }),
  ),
});

export const EnrichmentInputFieldsRequest = Type.Object(
  { configuration: Type.Optional(Json) },
  { title: 'EnrichmentInputFieldsRequest' },
);

export const GetEnrichmentInputFieldsResponseEnvelope = Envelope(
  'GetEnrichmentInputFieldsResponseEnvelope',
  Type.Array(Type.Array(Type.String())),
);

export const ConnectionIdParams = Type.Object({ connection_id: Type.String() });
