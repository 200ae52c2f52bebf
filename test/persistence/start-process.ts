// Run as a child process by the concurrency tests: migrate and bootstrap like `ferry serve` does, then print
// what happened as JSON. Two of these on the same data are two Ferry processes starting at once.
import { openDatabase } from '../../src/persistence/database.ts';
import { migrateToLatest } from '../../src/persistence/migrate.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { bootstrapIfEmpty } from '../../src/services/bootstrap.ts';

const database = openDatabase({
  dataDir: process.env.FERRY_DATA_DIR!,
  databaseUrl: process.env.DATABASE_URL || undefined,
});
try {
  const report = await migrateToLatest(database);
  const bootstrap = await bootstrapIfEmpty(database.db, systemClock);
  process.stdout.write(`${JSON.stringify({ applied: report.applied, bootstrapped: Boolean(bootstrap) })}\n`);
} finally {
  await database.close();
}
