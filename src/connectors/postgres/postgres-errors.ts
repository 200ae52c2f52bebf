// PostgreSQL errors by SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html):
// the exact code first, then its two-character class, then Node's socket errno.
import {
  type ErrorClass,
  ConnectorError,
  fromErrorClass,
  networkErrorTable,
  socketErrorCode,
} from '../connector-error.ts';

const exactCodes: Readonly<Record<string, ErrorClass>> = {
  '28P01': {
    code: 'authentication_failed',
    retryable: false,
    summary: 'Authentication failed: wrong user name or password',
  },
  '28000': {
    code: 'authentication_failed',
    retryable: false,
    summary: 'Authentication failed: the user is not allowed to connect',
  },
  '3D000': { code: 'database_missing', retryable: false, summary: 'The database does not exist' },
  '42P01': { code: 'object_missing', retryable: false, summary: 'The table does not exist' },
  '42501': { code: 'permission_denied', retryable: false, summary: 'Permission denied' },
  '40001': { code: 'transient', retryable: true, summary: 'Serialization failure' },
  '40P01': { code: 'transient', retryable: true, summary: 'Deadlock detected' },
  '55P03': { code: 'transient', retryable: true, summary: 'A lock was not available' },
  // A replication slot another session streams from, among others.
  '55006': { code: 'transient', retryable: true, summary: 'The object is in use by another session' },
  '57014': { code: 'canceled', retryable: false, summary: 'The query was canceled' },
  '53300': { code: 'resource_exhausted', retryable: true, summary: 'The server has too many connections' },
};

const classCodes: Readonly<Record<string, ErrorClass>> = {
  '08': { code: 'transient', retryable: true, summary: 'The connection to the server failed' },
  '22': { code: 'invalid_data', retryable: false, summary: 'A value is not valid for its column' },
  '23': { code: 'constraint_violation', retryable: false, summary: 'A constraint was violated' },
  '42': { code: 'invalid_query', retryable: false, summary: 'The SQL is not valid' },
  '53': { code: 'resource_exhausted', retryable: true, summary: 'The server is out of resources' },
  '57': { code: 'transient', retryable: true, summary: 'The server is shutting down or starting up' },
  '58': { code: 'transient', retryable: true, summary: 'The server had a system error' },
};

// node-postgres raises these without a SQLSTATE; matched on the driver's exact text.
const driverMessages: Readonly<Record<string, ErrorClass>> = {
  'The server does not support SSL connections': {
    code: 'ssl_unsupported',
    retryable: false,
    summary: 'The server does not accept SSL connections; set ssl to false to connect without encryption',
  },
  'Connection terminated unexpectedly': {
    code: 'transient',
    retryable: true,
    summary: 'The server closed the connection',
  },
  'timeout expired': { code: 'host_unreachable', retryable: true, summary: 'Timed out connecting to the host' },
};

/** Retry hints (ms) where waiting helps more than hammering. */
const retryDelays: Readonly<Record<string, number>> = { '53300': 5000, '57P03': 2000 };

export function classifyPostgresError(error: unknown, context?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const sqlState = (error as { code?: unknown } | null)?.code;
  if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState)) {
    const classified = fromErrorClass(error, exactCodes[sqlState] ?? classCodes[sqlState.slice(0, 2)], context);
    const delay = retryDelays[sqlState];
    if (delay === undefined) return classified;
    return new ConnectorError(classified.message, { ...classified, nextRetryDelay: delay, cause: error });
  }
  const message = error instanceof Error ? error.message : '';
  const errno = socketErrorCode(error);
  return fromErrorClass(error, driverMessages[message] ?? (errno ? networkErrorTable[errno] : undefined), context);
}
