// Listing events, and the wire form of one event (shared by GET /api/events and webhook deliveries). A
// sync.completed event links to its execution's record logs: the links are signed when the event is shown or
// delivered, not when it is stored, so they are fresh for an hour whenever the event is read.
import type { AppContext } from '../app-context.ts';
import { invalidField } from '../domain/domain-error.ts';
import type { ExecutionLogType, RecordLogIndex } from '../engine/record-logs/record-log.ts';
import type { EventRow } from '../persistence/repositories/events-repository.ts';
import { EventType, isEventType, eventTypes } from './event-types.ts';
import { createRecordLogLinks, recordLogLinkPurpose } from './model-sync-record-log-links.ts';
import { organizationInScope } from './organization-scope.ts';
import type { Principal } from './principal.ts';

export interface EventListQuery {
  organization_id?: string;
  type?: string;
  starting_after?: string;
  ending_before?: string;
  limit?: number;
}

export interface EventWire {
  id: string;
  organization_id: string;
  type: string;
  created_at: string;
  event: Record<string, unknown>;
}

/** sync.completed's record-log fields and the log type each lists. */
const recordLogFields: Record<string, ExecutionLogType> = {
  total_records: 'records',
  inserted_records: 'inserts',
  updated_records: 'updates',
  deleted_records: 'deletes',
  errored_records: 'errors',
  warnings: 'warnings',
};

function instant(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalidField(field, 'must be an RFC 3339 date-time, e.g. 2025-01-31T12:00:00Z');
  return new Date(parsed).toISOString();
}

export function eventsService(context: Pick<AppContext, 'repositories' | 'signer' | 'config'>) {
  const { repositories } = context;
  const links = createRecordLogLinks({
    signer: context.signer(recordLogLinkPurpose),
    publicUrl: () => context.config.publicUrl,
  });

  async function toWire(row: EventRow): Promise<EventWire> {
    const event = JSON.parse(row.payload) as Record<string, unknown>;
    if (row.type === EventType.syncCompleted && typeof event.execution_id === 'string') {
      const execution = await repositories.modelSyncExecutions.getAnywhere(event.execution_id);
      const index = execution?.record_logs ? (JSON.parse(execution.record_logs) as RecordLogIndex) : {};
      for (const [field, type] of Object.entries(recordLogFields)) {
        const files = index[type]?.files ?? [];
        event[field] = execution
          ? links.sign(
              files.map((filename) => ({
                organizationId: execution.organization_id,
                syncId: execution.sync_id,
                executionId: execution.id,
                type,
                filename,
              })),
            ).urls
          : [];
      }
    }
    return { id: row.id, organization_id: row.organization_id, type: row.type, created_at: row.created_at, event };
  }

  return {
    types: (): string[] => [...eventTypes],
    toWire,
    async list(principal: Principal, query: EventListQuery): Promise<EventWire[]> {
      if (query.type !== undefined && !isEventType(query.type))
        throw invalidField('type', `unknown event type; one of ${eventTypes.join(', ')}`);
      const organizationId =
        query.organization_id === undefined
          ? principal.organizationId
          : (await organizationInScope(repositories, principal, query.organization_id)).id;
      const rows = await repositories.events.list({
        organizationIds: [organizationId],
        type: query.type,
        startingAfter: instant('starting_after', query.starting_after),
        endingBefore: instant('ending_before', query.ending_before),
        limit: query.limit ?? 10,
      });
      return Promise.all(rows.map(toWire));
    },
  };
}

export type EventsService = ReturnType<typeof eventsService>;
