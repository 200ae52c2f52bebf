// The Connection Proxy core: info() describes the contract of an `api` connection, execute() makes
// one call through it. The REST layer hands in the decrypted configuration and maps failures
// (ProxyFailure) to ApiError bodies. Order of checks in execute(): contract → request shape →
// rate limits → address policy → upstream; every call, refused or not, gets a proxyCallId and an
// audit record.
import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { RunLogger } from '../domain/run-context.ts';
import { silentLogger } from '../domain/run-context.ts';
import { readCappedBody } from '../http/capped-body.ts';
import { checkUrlHost, createGuardedAgent, findForbiddenAddress } from '../http/guarded-dispatcher.ts';
import { createOAuthTokenSource, type OAuthTokenSource } from '../http/oauth-client-credentials.ts';
import type { ProxyAuditSink, ProxyCallRecord, ProxyStatsSource } from './proxy-call-store.ts';
import { ProxyFailureError, proxyFailure, type ProxyFailure } from './proxy-error.ts';
import { allowedProxyMethods, defaultProxyLimits, type ProxyLimits } from './proxy-limits.ts';
import {
  blockedRequestHeaders,
  buildUpstreamRequest,
  queryValueTypes,
  type ConnectionProxyCall,
  type UpstreamRequest,
} from './proxy-request.ts';
import {
  blockedResponseHeaders,
  redactedValue,
  type ConnectionProxyInfoResponse,
  type ConnectionProxyResponse,
} from './proxy-wire.ts';
import { createTokenBucketRateLimiter, type RateLimiter } from './rate-limiter.ts';
import { deriveUpstreamContract, displayBaseUrl, type UpstreamContract } from './upstream-contract.ts';

export interface ProxyConnection {
  connectionId: string;
  organizationId: string;
  /** Connection type id shown as backendType; default `api`. */
  backendType?: string;
  /** The decrypted `api` connection configuration. */
  configuration: unknown;
}

export type ProxyResult<T> = { ok: true; value: T } | { ok: false; error: ProxyFailure; proxyCallId?: string };

export interface ConnectionProxyDependencies {
  audit: ProxyAuditSink;
  stats: ProxyStatsSource;
  limits?: Partial<ProxyLimits>;
  rateLimiter?: RateLimiter;
  /** Wall clock for audit times, rate limits and stats windows. Default Date.now. */
  now?: () => number;
  /** Default: an Agent guarded by the address policy; owned (and closed) by the proxy. */
  dispatcher?: Dispatcher;
  newId?: () => string;
  log?: RunLogger;
}

export interface ConnectionProxy {
  readonly limits: ProxyLimits;
  info(connection: ProxyConnection): Promise<ProxyResult<ConnectionProxyInfoResponse>>;
  execute(
    connection: ProxyConnection,
    call: ConnectionProxyCall,
    options?: { signal?: AbortSignal },
  ): Promise<ProxyResult<ConnectionProxyResponse>>;
  close(): Promise<void>;
}

const dayMs = 24 * 60 * 60 * 1000;

function toFailure(error: unknown): ProxyFailure {
  if (error instanceof ProxyFailureError) return error.failure;
  return proxyFailure('proxy_upstream_unreachable', undefined, { cause: error });
}

function responseHeaders(raw: Dispatcher.ResponseData['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const lower = name.toLowerCase();
    if (value === undefined || (blockedResponseHeaders as readonly string[]).includes(lower)) continue;
    result[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

function decodeBody(bytes: Buffer, contentType: string, truncated: boolean): unknown {
  const text = bytes.toString('utf8');
  if (!truncated && /\bjson\b|\+json\b/i.test(contentType) && text.trim() !== '') {
    try {
      return JSON.parse(text);
    } catch {
      // Declared JSON that does not parse is returned as text, like any other body.
    }
  }
  return text;
}

export function createConnectionProxy(dependencies: ConnectionProxyDependencies): ConnectionProxy {
  const limits: ProxyLimits = { ...defaultProxyLimits, ...dependencies.limits };
  const now = dependencies.now ?? Date.now;
  const rateLimiter = dependencies.rateLimiter ?? createTokenBucketRateLimiter(now);
  const policy = { allowPrivate: limits.allowPrivateUpstreams };
  const ownsDispatcher = dependencies.dispatcher === undefined;
  const dispatcher =
    dependencies.dispatcher ?? createGuardedAgent(policy, { connectTimeoutMs: Math.min(10_000, limits.timeoutMs) });
  const newId = dependencies.newId ?? randomUUID;
  const log = dependencies.log ?? silentLogger;
  const tokenSources = new Map<string, { fingerprint: string; source: OAuthTokenSource }>();

  function tokenSource(connection: ProxyConnection, contract: UpstreamContract): OAuthTokenSource {
    const fingerprint = JSON.stringify(contract.oauth);
    const existing = tokenSources.get(connection.connectionId);
    if (existing && existing.fingerprint === fingerprint) return existing.source;
    const source = createOAuthTokenSource({
      credentials: contract.oauth ?? {},
      dispatcher,
      now,
      timeoutMs: limits.timeoutMs,
    });
    tokenSources.set(connection.connectionId, { fingerprint, source });
    return source;
  }

  async function audit(record: ProxyCallRecord): Promise<void> {
    try {
      await dependencies.audit.record(record);
    } catch (error: unknown) {
      // A lost audit record must not fail a call that already reached the upstream; it is logged.
      log.error({ err: error, proxyCallId: record.proxyCallId }, 'proxy audit record failed');
    }
  }

  async function send(
    connection: ProxyConnection,
    contract: UpstreamContract,
    upstream: UpstreamRequest,
    signal: AbortSignal | undefined,
  ) {
    const forbidden = checkUrlHost(upstream.url, policy);
    if (forbidden)
      throw new ProxyFailureError(
        proxyFailure('proxy_upstream_forbidden', forbidden.message, { metadata: { host: forbidden.hostname } }),
      );
    const deadline = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.abort(new Error(`upstream timeout after ${limits.timeoutMs} ms`));
    }, limits.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
    try {
      if (contract.oauth) {
        try {
          upstream.headers.authorization = `Bearer ${await tokenSource(connection, contract).accessToken(combined)}`;
        } catch (error: unknown) {
          if (timedOut || findForbiddenAddress(error)) throw error;
          throw new ProxyFailureError(
            proxyFailure('proxy_upstream_auth_failed', (error as Error).message, { cause: error }),
          );
        }
      }
      const response = await request(upstream.url, {
        method: upstream.method,
        headers: upstream.headers,
        body: upstream.body,
        dispatcher,
        // undici's request() never follows redirects (no redirect interceptor here): a 3xx goes back
        // to the caller as is, so a Location cannot lead the proxy past the address policy.
        signal: combined,
      });
      const body = await readCappedBody(response.body, limits.maxResponseBodyBytes);
      return { response, body };
    } catch (error: unknown) {
      if (error instanceof ProxyFailureError) throw error;
      const refused = findForbiddenAddress(error);
      if (refused)
        throw new ProxyFailureError(
          proxyFailure('proxy_upstream_forbidden', refused.message, {
            metadata: { host: refused.hostname },
            cause: error,
          }),
        );
      if (timedOut) {
        throw new ProxyFailureError(
          proxyFailure('proxy_upstream_timeout', `the upstream did not answer within ${limits.timeoutMs} ms`, {
            metadata: { timeoutMs: limits.timeoutMs },
            cause: error,
          }),
        );
      }
      const code = (error as { code?: unknown })?.code;
      throw new ProxyFailureError(
        proxyFailure(
          'proxy_upstream_unreachable',
          `the upstream could not be reached: ${(error as Error)?.message ?? String(error)}`,
          {
            metadata: typeof code === 'string' ? { code } : {},
            cause: error,
          },
        ),
      );
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    limits,

    async info(connection) {
      let contract: UpstreamContract;
      try {
        contract = deriveUpstreamContract(connection.configuration);
      } catch (error: unknown) {
        return { ok: false, error: toFailure(error) };
      }
      const counts = await dependencies.stats.countSince(connection.connectionId, new Date(now() - dayMs));
      const lockedQuery: Record<string, unknown> = {};
      for (const parameter of contract.lockedQuery) lockedQuery[parameter.name] = redactedValue;
      return {
        ok: true,
        value: {
          backendType: connection.backendType ?? 'api',
          connectionId: connection.connectionId,
          inheritedBase: {
            baseUrl: displayBaseUrl(contract),
            lockedHeaders: contract.lockedHeaders.map((header) => ({
              name: header.name,
              value: header.sensitive ? redactedValue : header.value,
              redacted: header.sensitive,
            })),
            lockedQuery,
          },
          mergeRules: {
            headers:
              "Caller headers are sent with the connection's locked headers; setting a locked header is rejected (400). Blocked request headers are dropped.",
            query:
              "Caller query parameters come first, then the connection's locked parameters; setting a locked parameter is rejected (400).",
          },
          requestContract: {
            allowedMethods: [...allowedProxyMethods],
            blockedRequestHeaders: [...blockedRequestHeaders],
            blockedResponseHeaders: [...blockedResponseHeaders],
            bodyTypes: ['string', 'json'],
            maxRequestBodyBytes: limits.maxRequestBodyBytes,
            maxResponseBodyBytes: limits.maxResponseBodyBytes,
            pathRule:
              'Relative to baseUrl, starting with "/"; no query string, fragment, backslash, "." or ".." segments, or encoded slashes.',
            queryModes: ['query', 'rawQuery'],
            queryValueTypes: [...queryValueTypes],
            rateLimitPerMinute: limits.connectionRateLimitPerMinute,
            rawQueryRule: 'Appended as is without a leading "?"; mutually exclusive with query.',
            timeoutMs: limits.timeoutMs,
          },
          stats: {
            callsLast24h: counts.calls,
            lastProxyCallAt: counts.lastProxyCallAt ?? null,
            proxy2xxLast24h: counts.proxy2xx,
            proxy4xxLast24h: counts.proxy4xx,
            proxy5xxLast24h: counts.proxy5xx,
            proxyCallsLast24h: counts.proxyCalls,
          },
        },
      };
    },

    async execute(connection, call, options = {}) {
      const proxyCallId = newId();
      const startedAt = now();
      const started = performance.now();
      const record: ProxyCallRecord = {
        proxyCallId,
        connectionId: connection.connectionId,
        organizationId: connection.organizationId,
        method: typeof call?.method === 'string' ? call.method.toUpperCase() : String(call?.method),
        path: typeof call?.path === 'string' ? call.path : '',
        status: 0,
        upstream: false,
        durationMs: 0,
        requestBytes: 0,
        responseBytes: 0,
        truncated: false,
        at: new Date(startedAt).toISOString(),
      };
      try {
        const contract = deriveUpstreamContract(connection.configuration);
        const upstream = buildUpstreamRequest(contract, call, limits);
        record.requestBytes = upstream.body?.length ?? 0;
        const decision = rateLimiter.take([
          { key: `connection:${connection.connectionId}`, limitPerMinute: limits.connectionRateLimitPerMinute },
          { key: `organization:${connection.organizationId}`, limitPerMinute: limits.organizationRateLimitPerMinute },
        ]);
        if (!decision.allowed) {
          const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
          throw new ProxyFailureError(
            proxyFailure('proxy_rate_limited', `proxy rate limit reached; retry after ${retryAfterSeconds} s`, {
              metadata: {
                retryAfterSeconds,
                connectionRateLimitPerMinute: limits.connectionRateLimitPerMinute,
                organizationRateLimitPerMinute: limits.organizationRateLimitPerMinute,
              },
              headers: { 'Retry-After': String(retryAfterSeconds) },
            }),
          );
        }
        const { response, body } = await send(connection, contract, upstream, options.signal);
        const contentType = String(response.headers['content-type'] ?? '');
        const latencyMs = Math.round(performance.now() - started);
        Object.assign(record, {
          status: response.statusCode,
          upstream: true,
          durationMs: latencyMs,
          responseBytes: body.bytes.length,
          truncated: body.truncated,
        });
        await audit(record);
        return {
          ok: true,
          value: {
            body: decodeBody(body.bytes, contentType, body.truncated),
            contentType,
            headers: responseHeaders(response.headers),
            latencyMs,
            proxyCallId,
            status: response.statusCode,
            truncated: body.truncated,
          },
        };
      } catch (error: unknown) {
        const failure = toFailure(error);
        failure.metadata = { ...failure.metadata, proxyCallId };
        Object.assign(record, {
          status: failure.status,
          errorKey: failure.key,
          durationMs: Math.round(performance.now() - started),
        });
        await audit(record);
        return { ok: false, error: failure, proxyCallId };
      }
    },

    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}
