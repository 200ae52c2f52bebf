// Brings the metadata schema up to date. Kysely's migrator takes an advisory lock on PostgreSQL; SQLite gets no
// lock from it (its adapter assumes one connection), so there the whole run happens inside BEGIN IMMEDIATE, which
// makes a second process wait (busy_timeout) and then find nothing left to do.
import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import type { MetadataDatabase } from './database.ts';
import { migrations } from './migrations/index.ts';

export interface MigrationReport {
  applied: string[];
}

async function run<DB>(db: Kysely<DB>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((item) => item.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: result.error });
  }
  return {
    applied: (result.results ?? []).filter((item) => item.status === 'Success').map((item) => item.migrationName),
  };
}

export async function migrateToLatest(database: Pick<MetadataDatabase, 'db' | 'dialect'>): Promise<MigrationReport> {
  if (database.dialect !== 'sqlite') return run(database.db);
  return database.db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const report = await run(connection);
      await sql`commit`.execute(connection);
      return report;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

/** Names of the migrations this build knows that the database has not applied (readiness reports them). */
export async function pendingMigrations(database: Pick<MetadataDatabase, 'db'>): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
  return (await migrator.getMigrations()).filter((item) => item.executedAt === undefined).map((item) => item.name);
}
