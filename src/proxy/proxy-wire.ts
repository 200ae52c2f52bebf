// Wire shapes of the Connection Proxy API (the 2025-09-18 API reference), returned inside `{ data: … }`.

interface ConnectionProxyLockedHeader {
  name: string;
  value: string;
  redacted: boolean;
}

export interface ConnectionProxyInfoResponse {
  backendType: string;
  connectionId: string;
  inheritedBase: {
    baseUrl: string;
    lockedHeaders: ConnectionProxyLockedHeader[];
    lockedQuery: Record<string, unknown>;
  };
  mergeRules: { headers: string; query: string };
  requestContract: {
    allowedMethods: string[];
    blockedRequestHeaders: string[];
    blockedResponseHeaders: string[];
    bodyTypes: string[];
    maxRequestBodyBytes: number;
    maxResponseBodyBytes: number;
    pathRule: string;
    queryModes: string[];
    queryValueTypes: string[];
    rateLimitPerMinute: number;
    rawQueryRule: string;
    timeoutMs: number;
  };
  stats: {
    callsLast24h: number;
    lastProxyCallAt: string | null;
    proxy2xxLast24h: number;
    proxy4xxLast24h: number;
    proxy5xxLast24h: number;
    proxyCallsLast24h: number;
  };
}

export interface ConnectionProxyResponse {
  /** Parsed JSON when the upstream answered complete JSON, otherwise the body as text. */
  body: unknown;
  contentType: string;
  headers: Record<string, string>;
  latencyMs: number;
  proxyCallId: string;
  status: number;
  truncated: boolean;
}

export const redactedValue = '[REDACTED]';

/** Removed from upstream response headers before they reach the caller. */
export const blockedResponseHeaders = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The body may be truncated, so its length can differ from the upstream's.
  'content-length',
  // Upstream cookies belong to the connection's session, not the caller.
  'set-cookie',
  'set-cookie2',
] as const;
