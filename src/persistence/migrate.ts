// Brings the metadata schema up to date. Kysely's migrator takes a lock (a table lock on SQLite, an advisory
// lock on PostgreSQL), so two processes starting at once on the same database migrate once.
import { Migrator, type MigrationResultSet } from 'kysely';
import type { Kysely } from 'kysely';
import { migrations } from './migrations/index.ts';

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((item) => item.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: result.error });
  }
  return { applied: (result.results ?? []).filter((item) => item.status === 'Success').map((item) => item.migrationName) };
}
