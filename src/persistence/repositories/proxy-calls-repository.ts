// The proxy audit log in the metadata database; also the source of the 24-hour statistics.
import { sql, type Kysely } from 'kysely';
import type {
  ProxyAuditSink,
  ProxyCallCounts,
  ProxyCallRecord,
  ProxyStatsSource,
} from '../../proxy/proxy-call-store.ts';
import type { Database } from '../schema.ts';
import { reusableQuery } from '../reusable-query.ts';

const largestIdList = 512;

/** The compiled size that holds `count` ids: the next power of two. */
function idListSize(count: number): number {
  let size = 1;
  while (size < count) size *= 2;
  return size;
}

export function proxyCallsRepository(db: Kysely<Database>): ProxyAuditSink &
  ProxyStatsSource & {
    get(id: string): Promise<ProxyCallRecord | undefined>;
    callsSince(connectionIds: readonly string[], since: Date): Promise<Map<string, number>>;
  } {
  // On the path of every read of a proxy-upstream connection (its calls of the last 24 h): compiled once.
  const countsSince = reusableQuery(db, 2, (connectionId: string, since: string) =>
    db
      .selectFrom('proxy_calls')
      .select([
        sql<string | number>`count(*)`.as('calls'),
        sql<string | number>`sum(case when status between 200 and 299 then 1 else 0 end)`.as('ok'),
        sql<string | number>`sum(case when status between 400 and 499 then 1 else 0 end)`.as('client'),
        sql<string | number>`sum(case when status >= 500 then 1 else 0 end)`.as('server'),
        sql<string | null>`max(at)`.as('last'),
      ])
      .where('connection_id', '=', connectionId)
      .where('at', '>=', since),
  );
  // Every connection list counts its proxy-upstream connections' calls: compiled once per id-list size, sizes rounded
  // up to a power of two, so that a few statements serve every list (Kysely built 500 placeholders per request).
  const callsQueries = new Map<
    number,
    (...args: string[]) => Promise<Array<{ connection_id: string; calls: unknown }>>
  >();
  const callsQuery = (size: number) => {
    let query = callsQueries.get(size);
    if (!query) {
      query = reusableQuery(db, size + 1, (since: string, ...ids: string[]) =>
        db
          .selectFrom('proxy_calls')
          .select(['connection_id', sql<string | number>`count(*)`.as('calls')])
          .where('connection_id', 'in', ids)
          .where('at', '>=', since)
          .groupBy('connection_id'),
      );
      callsQueries.set(size, query);
    }
    return query;
  };
  return {
    async record(call) {
      await db
        .insertInto('proxy_calls')
        .values({
          id: call.proxyCallId,
          connection_id: call.connectionId,
          organization_id: call.organizationId,
          method: call.method,
          path: call.path,
          status: call.status,
          error_key: call.errorKey ?? null,
          upstream: call.upstream ? 1 : 0,
          duration_ms: Math.round(call.durationMs),
          request_bytes: call.requestBytes,
          response_bytes: call.responseBytes,
          truncated: call.truncated ? 1 : 0,
          at: call.at,
        })
        .execute();
    },
    /**
     * Calls per connection since `since`, for a list of connections: one grouped query per 512 ids over the
     * (connection_id, at) index instead of one query per connection. Connections without calls are absent.
     */
    async callsSince(connectionIds, since) {
      const counts = new Map<string, number>();
      const at = since.toISOString();
      for (let start = 0; start < connectionIds.length; start += largestIdList) {
        const ids = connectionIds.slice(start, start + largestIdList);
        const size = idListSize(ids.length);
        // Padded with the last id (a repeated value changes nothing in an IN list) up to the compiled size.
        while (ids.length < size) ids.push(ids[ids.length - 1]!);
        for (const row of await callsQuery(size)(at, ...ids)) counts.set(row.connection_id, Number(row.calls));
      }
      return counts;
    },
    /** One aggregate over the (connection_id, at) index. */
    async countSince(connectionId, since): Promise<ProxyCallCounts> {
      const [row] = await countsSince(connectionId, since.toISOString());
      if (!row) throw new Error('an aggregate without GROUP BY answered no row');
      const calls = Number(row.calls);
      return {
        calls,
        proxyCalls: calls,
        proxy2xx: Number(row.ok ?? 0),
        proxy4xx: Number(row.client ?? 0),
        proxy5xx: Number(row.server ?? 0),
        lastProxyCallAt: row.last ?? undefined,
      };
    },
    async get(id) {
      const row = await db.selectFrom('proxy_calls').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      return {
        proxyCallId: row.id,
        connectionId: row.connection_id,
        organizationId: row.organization_id,
        method: row.method,
        path: row.path,
        status: row.status,
        errorKey: row.error_key ?? undefined,
        upstream: row.upstream === 1,
        durationMs: row.duration_ms,
        requestBytes: row.request_bytes,
        responseBytes: row.response_bytes,
        truncated: row.truncated === 1,
        at: row.at,
      };
    },
  };
}
