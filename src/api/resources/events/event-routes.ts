// GET /api/events and GET /api/events_types (docs/events.md).
import type { RouteDefinition } from '../../route.ts';
import type { EventsService } from '../../../services/events-service.ts';
import { EventsEnvelope, EventsListQuery, EventTypesEnvelope } from './event-schemas.ts';

export function eventRoutes(events: EventsService): RouteDefinition[] {
  return [
    {
      operationId: 'events.list',
      method: 'GET',
      path: '/api/events',
      summary:
        "The organization's events, newest first, kept for FERRY_EVENT_RETENTION_HOURS (48 h). Partner keys may name organization_id.",
      access: 'organization',
      query: EventsListQuery,
      response: EventsEnvelope,
      errors: [400, 404, 422, 500],
      handler: async ({ caller, query }) => ({ data: await events.list(caller, query) }),
    },
    {
      operationId: 'events.getTypes',
      method: 'GET',
      path: '/api/events_types',
      summary: 'The event types Ferry records.',
      access: 'organization',
      response: EventTypesEnvelope,
      handler: async () => ({ data: events.types() }),
    },
  ];
}
