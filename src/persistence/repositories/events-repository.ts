// Events, newest first. Listing filters by organization, type and a time window (starting_after/ending_before).
import type { Kysely } from 'kysely';
import type { Database, EventsTable } from '../schema.ts';

export type EventRow = EventsTable;

export interface EventFilter {
  organizationIds: string[];
  type?: string;
  /** ISO-8601: only events created after this instant. */
  startingAfter?: string;
  /** ISO-8601: only events created before this instant. */
  endingBefore?: string;
  limit: number;
}

export function eventsRepository(db: Kysely<Database>) {
  return {
    async insert(row: EventRow): Promise<void> {
      await db.insertInto('events').values(row).execute();
    },
    getAnywhere(id: string): Promise<EventRow | undefined> {
      return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    },
    list(filter: EventFilter): Promise<EventRow[]> {
      if (filter.organizationIds.length === 0) return Promise.resolve([]);
      let query = db.selectFrom('events').selectAll().where('organization_id', 'in', filter.organizationIds);
      if (filter.type) query = query.where('type', '=', filter.type);
      if (filter.startingAfter) query = query.where('created_at', '>', filter.startingAfter);
      if (filter.endingBefore) query = query.where('created_at', '<', filter.endingBefore);
      return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
    },
    /** Deletes events (and delivery records) created before `before`; returns how many events went. */
    async prune(before: string): Promise<number> {
      await db.deleteFrom('webhook_deliveries').where('created_at', '<', before).execute();
      const result = await db.deleteFrom('events').where('created_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
