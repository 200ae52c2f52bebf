// The proxy's limits and their defaults. The size and time limits are the seed's numbers
// (seed-000-migration-guide-2025-09-18: 30 s upstream timeout, 256 KiB request body, 1 MiB
// response body); the rate limits are Ferry's own choice because the seed names no number.
// config.ts is the home of process-wide defaults: it should pass overrides here (not wired yet).

export interface ProxyLimits {
  /** Whole-call upstream deadline (connect + headers + body). Default 30 000 ms → 504 past it. */
  timeoutMs: number;
  /** Largest serialized request body. Default 262 144 bytes (256 KiB) → 400 past it. */
  maxRequestBodyBytes: number;
  /** Largest response body returned; the rest is cut and `truncated: true`. Default 1 048 576 (1 MiB). */
  maxResponseBodyBytes: number;
  /** Calls per minute per connection. Default 60 → 429 with Retry-After past it. */
  connectionRateLimitPerMinute: number;
  /** Calls per minute per organization, across its connections. Default 300. */
  organizationRateLimitPerMinute: number;
  /**
   * Allow upstreams on private, loopback and link-local addresses. Default false. Self-hosters whose
   * APIs live on their own network, and tests, turn it on. Cloud metadata addresses stay refused.
   */
  allowPrivateUpstreams: boolean;
}

export const defaultProxyLimits: ProxyLimits = {
  timeoutMs: 30_000,
  maxRequestBodyBytes: 256 * 1024,
  maxResponseBodyBytes: 1024 * 1024,
  connectionRateLimitPerMinute: 60,
  organizationRateLimitPerMinute: 300,
  allowPrivateUpstreams: false,
};

export const allowedProxyMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ProxyMethod = (typeof allowedProxyMethods)[number];
