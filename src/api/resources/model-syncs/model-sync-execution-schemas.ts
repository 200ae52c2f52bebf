// Wire shapes of model-sync executions (the 2025-09-18 API reference: StartSyncRequest, GetExecutionResponseSchema,
// SyncStatusResponse, …). 2024-02-08 names some of them StartModelSync*/CancelModelSync* with identical shapes.
import Type from 'typebox';
import { Envelope, PagedListEnvelope } from '../envelope.ts';

/** An execution's status, as model-sync executions and the events about them report it. */
export const UtilExecutionStatus = Type.Union(
  [
    'created',
    'scheduled',
    'queued',
    'waiting',
    'running',
    'processing',
    'canceling',
    'canceled',
    'completed',
    'failed',
    'interrupted',
  ].map((status) => Type.Literal(status)),
  { title: 'UtilExecutionStatus' },
);

const count = () => Type.Optional(Type.Integer());
const ExecutionCounts = Type.Object(
  {
    delete: count(),
    error: count(),
    insert: count(),
    total: count(),
    update: count(),
    upserts: count(),
    warnings: count(),
  },
  { title: 'ExecutionCounts' },
);

const GetExecutionResponseSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    status: Type.Optional(UtilExecutionStatus),
    type: Type.Optional(Type.String()),
    counts: Type.Optional(ExecutionCounts),
    errors: Type.Optional(Type.Array(Type.String())),
    created_at: Type.Optional(Type.String()),
    started_at: Type.Optional(Type.String()),
    completed_at: Type.Optional(Type.String()),
  },
  { title: 'GetExecutionResponseSchema' },
);
export const GetExecutionResponseEnvelope = Envelope('GetExecutionResponseEnvelope', GetExecutionResponseSchema);

export const StartSyncRequest = Type.Object(
  {
    identities: Type.Optional(Type.Array(Type.String())),
    resync: Type.Optional(Type.Boolean()),
    test: Type.Optional(Type.Boolean()),
  },
  { title: 'StartSyncRequest' },
);
export const StartSyncResponseEnvelope = Envelope(
  'StartSyncResponseEnvelope',
  Type.Object(
    {
      id: Type.Optional(Type.String()),
      status: Type.Optional(UtilExecutionStatus),
      created_at: Type.Optional(Type.String()),
    },
    { title: 'StartSyncResponseSchema' },
  ),
);

export const CancelSyncResponseEnvelope = Envelope(
  'CancelSyncResponseEnvelope',
  Type.Object({ message: Type.Optional(Type.String()) }, { title: 'CancelSyncResponse' }),
);
export const CancelSyncExecutionResponseEnvelope = Envelope(
  'CancelSyncExecutionResponseEnvelope',
  Type.Object({ message: Type.Optional(Type.String()) }, { title: 'CancelSyncExecutionResponse' }),
);

export const SyncStatusEnvelope = Envelope(
  'SyncStatusEnvelope',
  Type.Object(
    {
      current_execution: Type.Optional(GetExecutionResponseSchema),
      last_execution: Type.Optional(GetExecutionResponseSchema),
      next_execution_time: Type.Optional(Type.String()),
    },
    { title: 'SyncStatusResponse' },
  ),
);

export const ListExecutionResponseEnvelope = PagedListEnvelope(
  'ListExecutionResponseEnvelope',
  GetExecutionResponseSchema,
);

export const ListExecutionsQuery = Type.Object({
  page_token: Type.Optional(Type.String()),
  only_completed: Type.Optional(Type.Boolean()),
  ascending: Type.Optional(Type.Boolean()),
});

/** 2024-02-08 modelSync.UpdateExecutionRequest: the only status it may set is canceled. */
export const UpdateExecutionRequest = Type.Object(
  { status: UtilExecutionStatus },
  { title: 'modelSync.UpdateExecutionRequest' },
);

export const ExecutionParams = Type.Object({ sync_id: Type.String(), id: Type.String() });
export const SyncIdParams = Type.Object({ sync_id: Type.String() });
