// The one error type connectors throw. It says whether the engine should retry (Temporal's
// ApplicationFailure idea): systemic, transient failures (network, deadlocks, server restart) are
// retryable; configuration and data problems are not. Drivers' errors are mapped to it by the
// per-dialect tables (postgres-errors.ts, mysql-errors.ts, sqlite-errors.ts), never by chains of `if`.

export const ConnectorErrorCode = {
  hostUnreachable: 'host_unreachable',
  authenticationFailed: 'authentication_failed',
  databaseMissing: 'database_missing',
  sslUnsupported: 'ssl_unsupported',
  invalidConfiguration: 'invalid_configuration',
  permissionDenied: 'permission_denied',
  objectMissing: 'object_missing',
  invalidQuery: 'invalid_query',
  invalidData: 'invalid_data',
  constraintViolation: 'constraint_violation',
  recordNotFound: 'record_not_found',
  transient: 'transient',
  resourceExhausted: 'resource_exhausted',
  canceled: 'canceled',
  unsupported: 'unsupported',
  unknown: 'unknown',
} as const;
export type ConnectorErrorCode = (typeof ConnectorErrorCode)[keyof typeof ConnectorErrorCode];

export interface ConnectorErrorOptions {
  code: ConnectorErrorCode;
  retryable?: boolean;
  /** Milliseconds the engine should wait before the next attempt, when the source knows better. */
  nextRetryDelay?: number;
  /** The configuration field at fault, for invalid_configuration (the API answers 422 naming it). */
  field?: string;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly nextRetryDelay: number | undefined;
  readonly field: string | undefined;

  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'ConnectorError';
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.nextRetryDelay = options.nextRetryDelay;
    this.field = options.field;
  }
}

/** One row of a classification table: what a driver code means for Ferry. */
export interface ErrorClass {
  code: ConnectorErrorCode;
  retryable: boolean;
  /** Plain words shown to the user; the driver's own message is appended. */
  summary: string;
}

/** Errors raised by Node's socket layer, shared by every network connector. */
export const networkErrorTable: Readonly<Record<string, ErrorClass>> = {
  ECONNREFUSED: {
    code: 'host_unreachable',
    retryable: true,
    summary: 'Connection refused: nothing listens on that host and port',
  },
  ENOTFOUND: { code: 'host_unreachable', retryable: false, summary: 'Host name not found' },
  EAI_AGAIN: { code: 'host_unreachable', retryable: true, summary: 'Host name lookup failed temporarily' },
  ETIMEDOUT: { code: 'host_unreachable', retryable: true, summary: 'Timed out connecting to the host' },
  EHOSTUNREACH: { code: 'host_unreachable', retryable: true, summary: 'Host unreachable' },
  ENETUNREACH: { code: 'host_unreachable', retryable: true, summary: 'Network unreachable' },
  ECONNRESET: { code: 'transient', retryable: true, summary: 'Connection reset by the server' },
  EPIPE: { code: 'transient', retryable: true, summary: 'Connection closed by the server' },
};

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    if (error.message) return error.message;
    // AggregateError from a multi-address connect has an empty message; its parts say why.
    if (error instanceof AggregateError && error.errors.length > 0) return errorMessage(error.errors[0]);
    return error.name;
  }
  return String(error);
}

/** Node's errno-style code (`ECONNREFUSED`), looking inside AggregateError from dual-stack connects. */
export function socketErrorCode(error: unknown): string | undefined {
  if (error instanceof AggregateError && error.errors.length > 0) return socketErrorCode(error.errors[0]);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Builds the ConnectorError for `error` from a table row, or `unknown` (not retryable) when none matches. */
export function fromErrorClass(error: unknown, errorClass: ErrorClass | undefined, context?: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const detail = errorMessage(error);
  const prefix = context ? `${context}: ` : '';
  if (!errorClass) return new ConnectorError(`${prefix}${detail}`, { code: 'unknown', retryable: false, cause: error });
  return new ConnectorError(`${prefix}${errorClass.summary} (${detail})`, {
    code: errorClass.code,
    retryable: errorClass.retryable,
    cause: error,
  });
}

/** The error a read or write ends with when its signal aborts. */
export function canceledError(signal: AbortSignal): ConnectorError {
  return new ConnectorError('The operation was canceled', { code: 'canceled', retryable: false, cause: signal.reason });
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw canceledError(signal);
}
