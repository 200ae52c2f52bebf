// better-sqlite3 errors carry SQLite's extended result code as a string
// (https://sqlite.org/rescode.html). Exact codes first, then the primary code.
import { ConnectorError, type ErrorClass, fromErrorClass } from '../connector-error.ts';

const sqliteErrorTable: Readonly<Record<string, ErrorClass>> = {
  SQLITE_CANTOPEN: { code: 'database_missing', retryable: false, summary: 'The database file cannot be opened' },
  SQLITE_NOTADB: { code: 'database_missing', retryable: false, summary: 'The file is not a SQLite database' },
  SQLITE_CORRUPT: { code: 'unknown', retryable: false, summary: 'The database file is corrupt' },
  SQLITE_BUSY: { code: 'transient', retryable: true, summary: 'The database is locked by another writer' },
  SQLITE_LOCKED: { code: 'transient', retryable: true, summary: 'A table is locked' },
  SQLITE_READONLY: { code: 'permission_denied', retryable: false, summary: 'The database is read-only' },
  SQLITE_PERM: { code: 'permission_denied', retryable: false, summary: 'Access to the database file was denied' },
  SQLITE_AUTH: { code: 'permission_denied', retryable: false, summary: 'Not authorised' },
  SQLITE_FULL: { code: 'resource_exhausted', retryable: false, summary: 'The disk is full' },
  SQLITE_IOERR: { code: 'transient', retryable: true, summary: 'Disk I/O error' },
  SQLITE_NOMEM: { code: 'resource_exhausted', retryable: true, summary: 'SQLite ran out of memory' },
  SQLITE_TOOBIG: { code: 'invalid_data', retryable: false, summary: 'A value is too big' },
  SQLITE_MISMATCH: { code: 'invalid_data', retryable: false, summary: 'A value has the wrong type' },
  SQLITE_CONSTRAINT: { code: 'constraint_violation', retryable: false, summary: 'A constraint was violated' },
  SQLITE_RANGE: { code: 'invalid_query', retryable: false, summary: 'Wrong number of parameters' },
  SQLITE_ERROR: { code: 'invalid_query', retryable: false, summary: 'SQL error' },
};

export function classifySqliteError(error: unknown, context?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    // better-sqlite3 throws plain TypeErrors for values it cannot bind (e.g. a nested object).
    return fromErrorClass(error, error instanceof TypeError ? sqliteErrorTable.SQLITE_MISMATCH : undefined, context);
  }
  const primary = code.split('_').slice(0, 2).join('_');
  return fromErrorClass(error, sqliteErrorTable[code] ?? sqliteErrorTable[primary], context);
}
