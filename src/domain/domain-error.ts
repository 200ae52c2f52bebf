// What went wrong, in the terms of the domain: services and the engine throw a DomainError and know no HTTP. The API
// layer maps each kind to its status and stable key (src/api/domain-error-mapping.ts) in the one place that renders
// errors, so a service never chooses a status code.

/** The kinds of failure a use case reports, each one thing the client can understand and act on. */
export type DomainErrorKind =
  /** The thing named does not exist, or the actor may not see it (other tenants' ids are not found, not forbidden). */
  | 'not_found'
  /** A value breaks a rule of its form: required, non-empty, one of a set, a page token this server issued. */
  | 'invalid'
  /** A value cannot be read or used at all: not the JSON it must be, a page past the last one. */
  | 'malformed'
  /** The input is well-formed but cannot be acted on: it names what does not exist, or contradicts itself. */
  | 'unprocessable'
  /** The current state of a resource stands in the way: an execution still open, a model still used by syncs. */
  | 'conflict'
  /** The actor may not do this, whatever the input. */
  | 'forbidden'
  /** The thing acted on is not in a state, or of a kind, that allows the operation: a finished execution, an
   * unhealthy connection, a connection type without the capability. */
  | 'precondition_failed'
  /** A connected system (a connector's database or remote API) refused or failed; the message is its own. */
  | 'upstream_failed';

/** The facts a client may act on, in the order they are reported: the field at fault, a reason code, ids. */
export type DomainErrorDetails = Readonly<Record<string, unknown>>;

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly details: DomainErrorDetails | undefined;

  constructor(kind: DomainErrorKind, message: string, options: { details?: DomainErrorDetails; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'DomainError';
    this.kind = kind;
    this.details = options.details;
  }

  /** The input field at fault, as a dotted path such as `schemas[0].fields[1].field_id`, when the error names one. */
  get field(): string | undefined {
    const field = this.details?.field;
    return typeof field === 'string' ? field : undefined;
  }
}

/** A field whose value breaks a rule; the message names the field first, as every field error does. */
function fieldError(kind: DomainErrorKind, field: string, reason: string): DomainError {
  return new DomainError(kind, `${field}: ${reason}`, { details: { field } });
}

/** A value that breaks a rule of its form. */
export function invalidField(field: string, reason: string): DomainError {
  return fieldError('invalid', field, reason);
}

/** A well-formed value that cannot be acted on. */
export function unprocessableField(field: string, reason: string): DomainError {
  return fieldError('unprocessable', field, reason);
}

export function notFound(what: string): DomainError {
  return new DomainError('not_found', `${what} not found`);
}
