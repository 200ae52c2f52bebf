// The proxy's limits. The body caps are the API's (256 KiB request body, 1 MiB response body) and stay here; the
// upstream timeout (30 s, also the API's) and the rate limits (Ferry's choice: the API names no number) are
// operator-tunable, so their defaults live in src/config.ts (ferryDefaults.proxy), which src/ferry.ts passes in.
import { ferryDefaults } from '../config.ts';

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
  ...ferryDefaults.proxy,
  maxRequestBodyBytes: 256 * 1024,
  maxResponseBodyBytes: 1024 * 1024,
  allowPrivateUpstreams: false,
};

export const allowedProxyMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ProxyMethod = (typeof allowedProxyMethods)[number];
