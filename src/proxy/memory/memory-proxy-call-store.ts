// In-memory audit sink and stats source, for tests and for embedded use before persistence lands.
// Records older than the retention window are dropped as new ones arrive.
import {
  tallyProxyCalls,
  type ProxyAuditSink,
  type ProxyCallRecord,
  type ProxyStatsSource,
} from '../proxy-call-store.ts';

export interface MemoryProxyCallStore extends ProxyAuditSink, ProxyStatsSource {
  readonly records: readonly ProxyCallRecord[];
}

export function createMemoryProxyCallStore(
  options: { retentionMs?: number; now?: () => number } = {},
): MemoryProxyCallStore {
  const retentionMs = options.retentionMs ?? 24 * 60 * 60 * 1000;
  const now = options.now ?? Date.now;
  let records: ProxyCallRecord[] = [];
  return {
    get records() {
      return records;
    },
    record(call) {
      const cutoff = new Date(now() - retentionMs).toISOString();
      records = records.filter((record) => record.at >= cutoff);
      records.push({ ...call });
    },
    async countSince(connectionId, since) {
      const from = since.toISOString();
      return tallyProxyCalls(records.filter((record) => record.connectionId === connectionId && record.at >= from));
    },
  };
}
