// One registry of stable error codes. Each code has its HTTP status and a default message; docs/errors.md lists
// them and test/docs/docs-in-step.test.ts keeps the two in step. The code is sent as ApiError.key.
import { proxyErrorCodes } from '../proxy/proxy-error.ts';

export const errorCodes = {
  bad_request: { status: 400, message: 'The request is malformed.' },
  validation_failed: { status: 400, message: 'The request failed validation.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  unsupported_version: { status: 400, message: 'Unsupported X-Polytomic-Version.' },
  idempotency_key_invalid: { status: 400, message: 'Idempotency-Key must be 8 to 255 characters.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Request bodies must be application/json.' },
  unauthorized: { status: 401, message: 'Missing or invalid API key.' },
  forbidden: { status: 403, message: 'This credential may not perform this operation.' },
  partner_key_required: { status: 403, message: 'This endpoint requires a partner key.' },
  organization_key_required: {
    status: 403,
    message: 'This endpoint requires an organization-scoped key; partner keys use /api/organizations/... routes.',
  },
  not_found: { status: 404, message: 'Not found.' },
  route_not_found: { status: 404, message: 'No such endpoint in this API version.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  connection_test_failed: { status: 400, message: 'The connection test failed.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  already_exists: { status: 409, message: 'A resource with that name already exists.' },
  idempotency_request_in_flight: { status: 409, message: 'A request with this Idempotency-Key is still in progress.' },
  unprocessable: { status: 422, message: 'The request could not be processed.' },
  idempotency_key_reused: { status: 422, message: 'This Idempotency-Key was used with a different request.' },
  rate_limited: { status: 429, message: 'Too many requests.' },
  internal: { status: 500, message: 'Internal server error.' },
  service_unavailable: { status: 503, message: 'The service is not ready.' },
  // The connection proxy's refusals and upstream failures (src/proxy/proxy-error.ts).
  ...proxyErrorCodes,
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** The wire body of every error (ApiError in both SDKs). */
export interface ApiErrorBody {
  status: number;
  message: string;
  key?: string;
  metadata?: Record<string, unknown>;
}

/** Thrown by handlers and middleware; the server turns it into an ApiError body. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly metadata: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { metadata?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message ?? errorCodes[code].message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = errorCodes[code].status;
    this.metadata = options.metadata;
    this.headers = options.headers;
  }

  toBody(): ApiErrorBody {
    const body: ApiErrorBody = { status: this.status, message: this.message, key: this.code };
    if (this.metadata) body.metadata = this.metadata;
    return body;
  }
}

/** A validation failure that names the field at fault (`metadata.field`, JSON-pointer-like dotted path). */
export function fieldError(field: string, message: string, code: ErrorCode = 'validation_failed'): ApiError {
  return new ApiError(code, `${field}: ${message}`, { metadata: { field } });
}

export function notFound(what: string): ApiError {
  return new ApiError('not_found', `${what} not found`);
}
