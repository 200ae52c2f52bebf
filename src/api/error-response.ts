// Turns anything thrown while serving a request into the error body of the request's API version. A service's
// DomainError becomes its ApiError here, the one place the domain's kinds meet status codes.
// Client mistakes caught by Fastify itself (bad JSON, body too large, wrong media type) keep their 4xx status;
// anything unexpected is a 500 that names the request id and never carries a stack trace.
import { knownApiError } from './domain-error-mapping.ts';
import { ApiError, errorCodes, type ApiErrorBody, type ErrorCode } from './errors.ts';
import type { VersionChange } from './versioning/version-change.ts';
import { downgradeError } from './versioning/migrate.ts';
import type { ApiVersion } from './versioning/versions.ts';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Fastify's own client-error codes → ours. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** True when this was not a client mistake and deserves an error log line. */
  unexpected: boolean;
}

function toApiError(error: unknown, requestId: string): { apiError: ApiError; unexpected: boolean } {
  const known = knownApiError(error);
  if (known) return { apiError: known, unexpected: known.status >= 500 };
  const fastifyError = error as FastifyLikeError;
  const mapped = fastifyError?.code ? fastifyCodes[fastifyError.code] : undefined;
  if (mapped)
    return { apiError: new ApiError(mapped, fastifyError.message ?? errorCodes[mapped].message), unexpected: false };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { apiError: new ApiError('bad_request', fastifyError.message), unexpected: false };
  }
  return {
    apiError: new ApiError('internal', `Internal server error (request id ${requestId}).`, {
      metadata: { request_id: requestId },
      cause: error,
    }),
    unexpected: true,
  };
}

export function createErrorRenderer(changes: readonly VersionChange[]) {
  return function render(error: unknown, version: ApiVersion, requestId: string): RenderedError {
    const { apiError, unexpected } = toApiError(error, requestId);
    const body: ApiErrorBody = apiError.toBody();
    return {
      status: apiError.status,
      body: downgradeError(body, version, changes),
      headers: apiError.headers,
      unexpected,
    };
  };
}

export type ErrorRenderer = ReturnType<typeof createErrorRenderer>;
