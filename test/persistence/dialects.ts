// Opens a fresh metadata database per dialect the machine offers: SQLite always, PostgreSQL when reachable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type MetadataDatabase } from '../../src/persistence/database.ts';
import { createPostgresDatabase } from '../kit/services.ts';
import type { Dialect } from '../kit/ferry-server.ts';

export interface FreshDatabase {
  database: MetadataDatabase;
  dataDir: string;
  databaseUrl?: string;
  /** Another connection to the same database, like a second process. */
  openAnother(): MetadataDatabase;
  dispose(): Promise<void>;
}

export async function freshDatabase(dialect: Dialect): Promise<FreshDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-db-'));
  const scratch = dialect === 'postgres' ? await createPostgresDatabase('ferry_meta') : undefined;
  const open = () => openDatabase({ dataDir, databaseUrl: scratch?.url });
  const database = open();
  const others: MetadataDatabase[] = [];
  return {
    database,
    dataDir,
    databaseUrl: scratch?.url,
    openAnother() {
      const another = open();
      others.push(another);
      return another;
    },
    async dispose() {
      for (const other of others) await other.close();
      await database.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
