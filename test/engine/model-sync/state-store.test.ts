// Runs the shared StateStore suite on memory and on the metadata database in every dialect available.
import { createInMemoryStateStore } from '../../../src/engine/model-sync/state/in-memory-state-store.ts';
import { createKyselyStateStore } from '../../../src/engine/model-sync/state/kysely-state-store.ts';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { availableDialects } from '../../kit/ferry-server.ts';
import { freshDatabase } from '../../persistence/dialects.ts';
import { stateStoreCases } from './state-store-cases.ts';

stateStoreCases('in memory', async () => ({ store: createInMemoryStateStore(), dispose: async () => {} }));

for (const dialect of await availableDialects()) {
  stateStoreCases(`kysely (${dialect})`, async () => {
    const fresh = await freshDatabase(dialect);
    await migrateToLatest(fresh.database);
    return { store: createKyselyStateStore(fresh.database.db), dispose: () => fresh.dispose() };
  });
}
