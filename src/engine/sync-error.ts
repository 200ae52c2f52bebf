// The one error type an engine run ends with. Like Temporal's ApplicationFailure it says whether the
// queue should try again (`retryable`) and, when the cause knows better, how long to wait. Connector
// errors already carry `retryable` (their drivers' codes are classified by tables), so they convert
// one to one; anything else is coerced once here and kept as `cause`.
import { ConnectorError, errorMessage, type ConnectorErrorCode } from '../connectors/connector-error.ts';

export const SyncErrorCode = {
  /** The plan contradicts itself (duplicate output names, unknown fields, missing primary key). */
  invalidPlan: 'invalid_plan',
  /** A selected schema is gone from the source. */
  schemaMissing: 'schema_missing',
  /** The connection lacks the facet the plan needs (bulkSource, bulkDestination). */
  unsupportedConnection: 'unsupported_connection',
  canceled: 'canceled',
  /** A bug or an error nobody classified. Not retried: retrying a bug only repeats it. */
  internal: 'internal',
} as const;
export type SyncErrorCode = (typeof SyncErrorCode)[keyof typeof SyncErrorCode] | ConnectorErrorCode;

export interface SyncErrorOptions {
  code: SyncErrorCode;
  retryable?: boolean;
  nextRetryDelay?: number;
  cause?: unknown;
}

export class SyncError extends Error {
  readonly code: SyncErrorCode;
  readonly retryable: boolean;
  readonly nextRetryDelay: number | undefined;

  constructor(message: string, options: SyncErrorOptions) {
    super(message, { cause: options.cause });
    this.name = 'SyncError';
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.nextRetryDelay = options.nextRetryDelay;
  }
}

/** Coerces anything thrown into a SyncError, once; an aborted signal wins over whatever the abort caused. */
export function toSyncError(error: unknown, signal?: AbortSignal): SyncError {
  if (error instanceof SyncError) return error;
  if (signal?.aborted || (error instanceof ConnectorError && error.code === 'canceled')) {
    return new SyncError('The execution was canceled', {
      code: SyncErrorCode.canceled,
      retryable: false,
      cause: error,
    });
  }
  if (error instanceof ConnectorError) {
    return new SyncError(error.message, {
      code: error.code,
      retryable: error.retryable,
      nextRetryDelay: error.nextRetryDelay,
      cause: error,
    });
  }
  return new SyncError(errorMessage(error), { code: SyncErrorCode.internal, retryable: false, cause: error });
}
