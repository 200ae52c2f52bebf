// Ad-hoc query runs. Results live in the job with the same id; both go when the run expires.
import type { Kysely } from 'kysely';
import type { Database, QueriesTable } from '../schema.ts';

export type QueryRow = QueriesTable;

export function queriesRepository(db: Kysely<Database>) {
  return {
    async insert(row: QueryRow): Promise<void> {
      await db.insertInto('queries').values(row).execute();
    },
    get(organizationId: string, id: string): Promise<QueryRow | undefined> {
      return db
        .selectFrom('queries')
        .selectAll()
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
    },
    /** Deletes runs that expired before `now`, with their jobs, in one transaction; returns how many. */
    async deleteExpired(now: string): Promise<number> {
      return db.transaction().execute(async (transaction) => {
        const expired = await transaction.selectFrom('queries').select('id').where('expires_at', '<', now).execute();
        const ids = expired.map((row) => row.id);
        if (!ids.length) return 0;
        await transaction.deleteFrom('queries').where('id', 'in', ids).execute();
        await transaction.deleteFrom('jobs').where('id', 'in', ids).execute();
        return ids.length;
      });
    },
  };
}
