// Where proxy calls are remembered: the audit sink receives one record per call, and info() reads
// 24-hour statistics back. The REST layer persists records in its database; tests use the
// in-memory store in ./memory/.

export interface ProxyCallRecord {
  proxyCallId: string;
  connectionId: string;
  organizationId: string;
  method: string;
  path: string;
  /** Upstream HTTP status when the upstream answered, else the proxy's own error status. */
  status: number;
  /** Set when the proxy refused or failed the call itself (then `upstream` is false). */
  errorKey?: string;
  upstream: boolean;
  durationMs: number;
  requestBytes: number;
  responseBytes: number;
  truncated: boolean;
  /** ISO 8601 start time. */
  at: string;
}

export interface ProxyAuditSink {
  record(call: ProxyCallRecord): Promise<void> | void;
}

export interface ProxyCallCounts {
  /** All calls through the connection's backend; for now only proxy calls are counted. */
  calls: number;
  proxyCalls: number;
  proxy2xx: number;
  proxy4xx: number;
  proxy5xx: number;
  /** ISO 8601, undefined when no proxy call was made. */
  lastProxyCallAt: string | undefined;
}

export interface ProxyStatsSource {
  countSince(connectionId: string, since: Date): Promise<ProxyCallCounts>;
}

/** Tallies records into counts; shared by stores that can load the records of a window. */
export function tallyProxyCalls(records: Iterable<ProxyCallRecord>): ProxyCallCounts {
  const counts: ProxyCallCounts = {
    calls: 0,
    proxyCalls: 0,
    proxy2xx: 0,
    proxy4xx: 0,
    proxy5xx: 0,
    lastProxyCallAt: undefined,
  };
  for (const record of records) {
    counts.calls += 1;
    counts.proxyCalls += 1;
    if (record.status >= 200 && record.status < 300) counts.proxy2xx += 1;
    else if (record.status >= 400 && record.status < 500) counts.proxy4xx += 1;
    else if (record.status >= 500) counts.proxy5xx += 1;
    if (counts.lastProxyCallAt === undefined || record.at > counts.lastProxyCallAt) counts.lastProxyCallAt = record.at;
  }
  return counts;
}
