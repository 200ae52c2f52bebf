// CheckpointStore and ConsoleLog: in memory, and on the metadata database on every dialect available.
import { after, before, describe } from 'node:test';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { createKyselyCheckpointStore } from '../../../src/persistence/stores/kysely-checkpoint-store.ts';
import { createKyselyConsoleLog } from '../../../src/persistence/stores/kysely-console-log.ts';
import { createMemoryCheckpointStore } from '../../../src/engine/bulk/memory-checkpoint-store.ts';
import { createMemoryConsoleLog } from '../../../src/engine/memory-console-log.ts';
import { availableDialects } from '../../kit/ferry-server.ts';
import { freshDatabase, type FreshDatabase } from '../../persistence/dialects.ts';
import { checkpointStoreCases, consoleLogCases } from './engine-stores.case.ts';

describe('engine stores (memory)', () => {
  checkpointStoreCases(async () => createMemoryCheckpointStore());
  consoleLogCases(async () => createMemoryConsoleLog());
});

for (const dialect of await availableDialects()) {
  describe(`engine stores (kysely, ${dialect})`, () => {
    let fresh: FreshDatabase;
    before(async () => {
      fresh = await freshDatabase(dialect);
      await migrateToLatest(fresh.database);
    });
    after(async () => {
      await fresh?.dispose();
    });
    checkpointStoreCases(async () => createKyselyCheckpointStore(fresh.database.db));
    consoleLogCases(async () => {
      await fresh.database.db.deleteFrom('execution_console_logs').execute();
      return createKyselyConsoleLog(fresh.database.db);
    });
  });
}
