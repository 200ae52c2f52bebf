// The embedded queue's slot lock (worker-slot.ts): an exclusive SQLite lock on a small file next to the database,
// `<database>.worker-<slot>.lock`. SQLite takes it with a POSIX advisory lock, which the kernel drops when the
// process dies however it dies (kill -9 included), and which SQLite also enforces between connections of one
// process. Nothing is ever written to the file. It is never deleted either: a process could still be opening it,
// and deleting it then would let two processes hold "the" lock on two different files.
import { chmodSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import type { SlotLock } from '../worker-slot.ts';
import type { QueueDatabase } from './embedded-queue-tables.ts';

/** The metadata database's file, from SQLite itself; undefined for an in-memory database. */
export async function databaseFile(db: QueueDatabase): Promise<string | undefined> {
  const result = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(db);
  const file = result.rows[0]?.file;
  return file ? file : undefined;
}

export function slotLockPath(databasePath: string, slotId: string): string {
  // A worker id is filename-safe already (workerIdPattern); only the slot separator is replaced.
  return join(dirname(databasePath), `${basename(databasePath)}.worker-${slotId.replace('#', '+')}.lock`);
}

export async function tryEmbeddedSlotLock(databasePath: string, slotId: string): Promise<SlotLock | undefined> {
  const path = slotLockPath(databasePath, slotId);
  // timeout 0: a held lock answers SQLITE_BUSY at once instead of waiting for it.
  const lockFile = new Database(path, { timeout: 0 });
  try {
    chmodSync(path, 0o600);
    lockFile.pragma('locking_mode = EXCLUSIVE');
    lockFile.exec('begin exclusive');
  } catch (error: unknown) {
    lockFile.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  return {
    async release() {
      lockFile.exec('commit');
      lockFile.close();
    },
  };
}
