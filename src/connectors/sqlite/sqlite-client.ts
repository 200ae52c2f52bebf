// One SQLite file per connection. Writes share one handle; every streaming read opens its own
// read-only handle, because better-sqlite3 refuses other statements on a handle while an iterator
// is open, and a sync often reads and writes the same file.
import Database from 'better-sqlite3';
import { ConnectorError } from '../connector-error.ts';
import { classifySqliteError } from './sqlite-errors.ts';

export interface SqliteClient {
  readonly path: string;
  writer(): Database.Database;
  openReader(): Database.Database;
  close(): void;
}

/** Locks wait this long before failing with SQLITE_BUSY (retryable). */
const busyTimeoutMilliseconds = 5000;

function open(path: string, readonly: boolean): Database.Database {
  try {
    const database = new Database(path, { fileMustExist: true, readonly });
    database.pragma(`busy_timeout = ${busyTimeoutMilliseconds}`);
    return database;
  } catch (error: unknown) {
    const classified = classifySqliteError(error);
    // better-sqlite3 reports a missing directory as a TypeError before SQLite is involved.
    if (classified.code === 'database_missing' || error instanceof TypeError) {
      throw new ConnectorError(`Database file ${path} does not exist or cannot be opened`, {
        code: 'database_missing',
        cause: error,
      });
    }
    throw classified;
  }
}

export function createSqliteClient(path: string): SqliteClient {
  let writer: Database.Database | undefined;
  const readers = new Set<Database.Database>();
  return {
    path,
    writer() {
      writer ??= open(path, false);
      return writer;
    },
    openReader() {
      const reader = open(path, true);
      readers.add(reader);
      const close = reader.close.bind(reader);
      reader.close = () => {
        readers.delete(reader);
        return close();
      };
      return reader;
    },
    close() {
      for (const reader of readers) reader.close();
      writer?.close();
      writer = undefined;
    },
  };
}
