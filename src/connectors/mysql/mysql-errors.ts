// MySQL/MariaDB errors by server errno (https://mariadb.com/kb/en/mariadb-error-codes/), then
// mysql2's client-side codes, then Node's socket errno.
import {
  type ErrorClass,
  ConnectorError,
  fromErrorClass,
  networkErrorTable,
  socketErrorCode,
} from '../connector-error.ts';

const errnoTable: Readonly<Record<number, ErrorClass>> = {
  1045: {
    code: 'authentication_failed',
    retryable: false,
    summary: 'Authentication failed: wrong account or password',
  },
  1044: { code: 'permission_denied', retryable: false, summary: 'The account may not use this database' },
  1049: { code: 'database_missing', retryable: false, summary: 'The database does not exist' },
  1146: { code: 'object_missing', retryable: false, summary: 'The table does not exist' },
  1142: { code: 'permission_denied', retryable: false, summary: 'Permission denied' },
  1054: { code: 'invalid_query', retryable: false, summary: 'Unknown column' },
  1064: { code: 'invalid_query', retryable: false, summary: 'SQL syntax error' },
  1048: { code: 'constraint_violation', retryable: false, summary: 'A required value is null' },
  1062: { code: 'constraint_violation', retryable: false, summary: 'Duplicate key' },
  1364: { code: 'constraint_violation', retryable: false, summary: 'A required field has no value' },
  1451: { code: 'constraint_violation', retryable: false, summary: 'A foreign key blocks the change' },
  1452: { code: 'constraint_violation', retryable: false, summary: 'A foreign key does not match' },
  4025: { code: 'constraint_violation', retryable: false, summary: 'A check constraint failed' },
  1264: { code: 'invalid_data', retryable: false, summary: 'A value is out of range' },
  1265: { code: 'invalid_data', retryable: false, summary: 'A value was truncated' },
  1292: { code: 'invalid_data', retryable: false, summary: 'A value is not valid for its column' },
  1366: { code: 'invalid_data', retryable: false, summary: 'A value is not valid for its column' },
  1406: { code: 'invalid_data', retryable: false, summary: 'A value is too long for its column' },
  1205: { code: 'transient', retryable: true, summary: 'Lock wait timeout' },
  1213: { code: 'transient', retryable: true, summary: 'Deadlock' },
  1040: { code: 'resource_exhausted', retryable: true, summary: 'The server has too many connections' },
  1317: { code: 'canceled', retryable: false, summary: 'The query was interrupted' },
  2013: { code: 'transient', retryable: true, summary: 'Lost connection to the server during a query' },
};

const clientCodes: Readonly<Record<string, ErrorClass>> = {
  HANDSHAKE_NO_SSL_SUPPORT: {
    code: 'ssl_unsupported',
    retryable: false,
    summary: 'The server does not accept SSL connections; set ssl to false to connect without encryption',
  },
  PROTOCOL_CONNECTION_LOST: { code: 'transient', retryable: true, summary: 'The server closed the connection' },
};

export function classifyMysqlError(error: unknown, context?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const errno = (error as { errno?: unknown } | null)?.errno;
  const code = socketErrorCode(error);
  const known =
    (typeof errno === 'number' ? errnoTable[errno] : undefined) ??
    (code ? (clientCodes[code] ?? networkErrorTable[code]) : undefined);
  return fromErrorClass(error, known, context);
}
