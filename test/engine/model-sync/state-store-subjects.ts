// The StateStore implementations the state suites run on: memory, and the metadata database in every dialect available.
import { createInMemoryStateStore } from '../../../src/engine/model-sync/state/in-memory-state-store.ts';
import { createKyselyStateStore } from '../../../src/persistence/stores/kysely-state-store.ts';
import type { StateStore } from '../../../src/engine/model-sync/state-store.ts';
import { migrateToLatest } from '../../../src/persistence/migrate.ts';
import { availableDialects } from '../../kit/ferry-server.ts';
import { freshDatabase } from '../../persistence/dialects.ts';

export interface StateStoreSubject {
  store: StateStore;
  dispose(): Promise<void>;
}

export interface NamedStateStore {
  name: string;
  open(): Promise<StateStoreSubject>;
}

export async function stateStoreSubjects(): Promise<NamedStateStore[]> {
  const subjects: NamedStateStore[] = [
    { name: 'in memory', open: async () => ({ store: createInMemoryStateStore(), dispose: async () => {} }) },
  ];
  for (const dialect of await availableDialects()) {
    subjects.push({
      name: `kysely (${dialect})`,
      open: async () => {
        const fresh = await freshDatabase(dialect);
        await migrateToLatest(fresh.database);
        return { store: createKyselyStateStore(fresh.database.db), dispose: () => fresh.dispose() };
      },
    });
  }
  return subjects;
}

/** A test body run against a fresh store from `open`, disposed afterwards. */
export function withStateStore(
  open: () => Promise<StateStoreSubject>,
  body: (store: StateStore) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const subject = await open();
    try {
      await body(subject.store);
    } finally {
      await subject.dispose();
    }
  };
}
