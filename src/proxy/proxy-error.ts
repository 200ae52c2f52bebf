// Proxy failures are results, not exceptions: the REST layer maps `key` to its error registry and
// sends { status, message, key, metadata } as the ApiError body, plus `headers` (Retry-After on 429).
// Every key is stable; the status is fixed per key so docs/errors.md can list them.

export const proxyErrorCodes = {
  proxy_configuration_invalid: { status: 400, message: 'The connection cannot be used as a proxy upstream.' },
  proxy_method_not_allowed: { status: 400, message: 'The HTTP method is not allowed through the proxy.' },
  proxy_invalid_path: { status: 400, message: 'The path must be relative to the connection base URL.' },
  proxy_invalid_query: { status: 400, message: 'The query is not valid.' },
  proxy_invalid_header: { status: 400, message: 'A request header is not valid.' },
  proxy_locked_header: { status: 400, message: 'A header set by the connection cannot be overridden.' },
  proxy_locked_query: { status: 400, message: 'A query parameter set by the connection cannot be overridden.' },
  proxy_invalid_body: { status: 400, message: 'The request body is not valid.' },
  proxy_body_too_large: { status: 400, message: 'The request body exceeds the proxy limit.' },
  proxy_upstream_forbidden: { status: 400, message: 'The upstream address is not allowed.' },
  proxy_rate_limited: { status: 429, message: 'Too many proxy calls.' },
  proxy_upstream_auth_failed: { status: 502, message: 'Could not obtain credentials for the upstream.' },
  proxy_upstream_unreachable: { status: 502, message: 'The upstream could not be reached.' },
  proxy_upstream_timeout: { status: 504, message: 'The upstream did not answer in time.' },
} as const satisfies Record<string, { status: 400 | 429 | 502 | 504; message: string }>;

export type ProxyErrorKey = keyof typeof proxyErrorCodes;

export interface ProxyFailure {
  status: 400 | 429 | 502 | 504;
  key: ProxyErrorKey;
  message: string;
  metadata: Record<string, unknown>;
  /** Response headers the REST layer must send, e.g. Retry-After. */
  headers: Record<string, string>;
  cause?: unknown;
}

export function proxyFailure(
  key: ProxyErrorKey,
  message?: string,
  options: { metadata?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
): ProxyFailure {
  const failure: ProxyFailure = {
    status: proxyErrorCodes[key].status,
    key,
    message: message ?? proxyErrorCodes[key].message,
    metadata: options.metadata ?? {},
    headers: options.headers ?? {},
  };
  if (options.cause !== undefined) failure.cause = options.cause;
  return failure;
}

/** Internal: thrown inside the pipeline and turned into a result at the edge of execute(). */
export class ProxyFailureError extends Error {
  readonly failure: ProxyFailure;
  constructor(failure: ProxyFailure) {
    super(failure.message, { cause: failure.cause });
    this.name = 'ProxyFailureError';
    this.failure = failure;
  }
}

export function fail(key: ProxyErrorKey, message?: string, metadata?: Record<string, unknown>, cause?: unknown): never {
  throw new ProxyFailureError(proxyFailure(key, message, { metadata, cause }));
}
