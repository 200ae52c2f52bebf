// The API's reading of the domain's errors: each DomainErrorKind is one stable key of the registry (src/api/errors.ts),
// and so one status. The error renderer applies it (toApiError in error-response.ts); the version-specific shapes
// are applied after it, by status, as for every other error. The message and the details pass through unchanged:
// the details become `metadata`, in their order.
import { DomainError, type DomainErrorKind } from '../domain/domain-error.ts';
import { ApiError, type ErrorCode } from './errors.ts';

export const domainErrorCodes = {
  not_found: 'not_found',
  invalid: 'validation_failed',
  malformed: 'bad_request',
  unprocessable: 'unprocessable',
  conflict: 'conflict',
  forbidden: 'forbidden',
  precondition_failed: 'bad_request',
  upstream_failed: 'bad_request',
} as const satisfies Record<DomainErrorKind, ErrorCode>;

function apiErrorOfDomain(error: DomainError): ApiError {
  return new ApiError(
    domainErrorCodes[error.kind],
    error.message,
    error.details ? { metadata: { ...error.details }, cause: error } : { cause: error },
  );
}

/** The ApiError a thrown value stands for when it is a known failure (an ApiError or a DomainError), else undefined. */
export function knownApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return apiErrorOfDomain(error);
  return undefined;
}
