// Jobs, always read within one organization. Status moves created → running → done | failed.
import type { Kysely } from 'kysely';
import type { Database, JobsTable } from '../schema.ts';

export type JobRow = JobsTable;

export function jobsRepository(db: Kysely<Database>) {
  return {
    async insert(row: JobRow): Promise<void> {
      await db.insertInto('jobs').values(row).execute();
    },
    get(organizationId: string, id: string): Promise<JobRow | undefined> {
      return db
        .selectFrom('jobs')
        .selectAll()
        .where('id', '=', id)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst();
    },
    /** Unscoped: for the runner, which only knows the job id. */
    getAnywhere(id: string): Promise<JobRow | undefined> {
      return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async update(
      id: string,
      changes: Partial<Pick<JobRow, 'status' | 'result' | 'error' | 'updated_at'>>,
    ): Promise<void> {
      await db.updateTable('jobs').set(changes).where('id', '=', id).execute();
    },
    async delete(ids: string[]): Promise<void> {
      if (ids.length) await db.deleteFrom('jobs').where('id', 'in', ids).execute();
    },
  };
}

export type JobsRepository = ReturnType<typeof jobsRepository>;
