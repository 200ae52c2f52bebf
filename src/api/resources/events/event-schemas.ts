// Wire shapes of events (the 2025-09-18 API reference; 2024-02-08 names the payload types without the Eventing
// prefix, with the same fields).
import Type from 'typebox';
import { Envelope, ListEnvelope } from '../envelope.ts';
import { UtilExecutionStatus } from '../model-syncs/model-sync-execution-schemas.ts';

const opt = Type.Optional;
const text = () => Type.Optional(Type.String());
const links = () => Type.Optional(Type.Array(Type.String()));

const modelBase = {
  execution_id: text(),
  organization_id: text(),
  sync_id: text(),
  sync_name: text(),
  target_connection_id: text(),
};
const bulkBase = {
  destination_connection_id: text(),
  execution_id: text(),
  organization_id: text(),
  source_connection_id: text(),
  sync_id: text(),
  sync_name: text(),
};

const EventPayload = Type.Union(
  [
    Type.Object(modelBase, { title: 'EventingSyncRunningEvent' }),
    Type.Object(
      {
        ...modelBase,
        status: opt(UtilExecutionStatus),
        trigger: text(),
        record_count: opt(Type.Number()),
        inserted_count: opt(Type.Number()),
        updated_count: opt(Type.Number()),
        upserted_count: opt(Type.Number()),
        error_count: opt(Type.Number()),
        warning_count: opt(Type.Number()),
        total_records: links(),
        inserted_records: links(),
        updated_records: links(),
        deleted_records: links(),
        errored_records: links(),
        warnings: links(),
      },
      { title: 'EventingSyncCompletedEvent' },
    ),
    Type.Object({ ...modelBase, error: text() }, { title: 'EventingSyncFailedEvent' }),
    Type.Object({ ...modelBase, status: opt(UtilExecutionStatus) }, { title: 'EventingSyncCanceledEvent' }),
    Type.Object(
      { ...modelBase, error: text(), number_of_errors: opt(Type.Number()), number_of_warnings: opt(Type.Number()) },
      { title: 'EventingSyncCompletedWithErrorsEvent' },
    ),
    Type.Object(bulkBase, { title: 'EventingBulkSyncRunningEvent' }),
    Type.Object({ ...bulkBase, trigger_source: text() }, { title: 'EventingBulkSyncCompletedEvent' }),
    Type.Object(bulkBase, { title: 'EventingBulkSyncCanceledEvent' }),
    Type.Object({ ...bulkBase, trigger_source: text() }, { title: 'EventingBulkSyncCompletedWithErrorEvent' }),
    Type.Object({ ...bulkBase, trigger_source: text(), error: text() }, { title: 'EventingBulkSyncFailedEvent' }),
  ],
  { title: 'EventPayload' },
);

const Event = Type.Object(
  {
    created_at: text(),
    event: opt(EventPayload),
    id: text(),
    organization_id: text(),
    type: text(),
  },
  { title: 'Event' },
);

export const EventsEnvelope = ListEnvelope('EventsEnvelope', Event);
export const EventTypesEnvelope = Envelope('EventTypesEnvelope', Type.Array(Type.String()));

export const EventsListQuery = Type.Object(
  {
    organization_id: opt(Type.String({ description: 'Partner keys: the organization whose events to list.' })),
    type: opt(Type.String({ description: 'Only events of this type (GET /api/events_types lists them).' })),
    starting_after: opt(Type.String({ description: 'RFC 3339 date-time: only events created after it.' })),
    ending_before: opt(Type.String({ description: 'RFC 3339 date-time: only events created before it.' })),
    limit: opt(Type.Integer({ minimum: 1, maximum: 100, description: 'Default 10, at most 100.' })),
  },
  { additionalProperties: false },
);
