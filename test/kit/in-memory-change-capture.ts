// A ChangeCaptureSource kept in memory, for engine tests against the change-capture contract. The test commits
// source transactions with commit(): each changes the in-memory tables (so a snapshot copy reads them) and appends
// to a log whose positions are transaction counts ("3" = after the third transaction). stream() replays the log
// after a position in batches of at most maxChanges, splitting a large transaction into batches without a position
// except the last; confirm() records what the engine confirmed. `events` lists save/confirm order for assertions.
import type {
  Change,
  ChangeBatch,
  ChangeCaptureRequirement,
  ChangeCaptureSource,
  ChangeStream,
} from '../../src/connectors/change-capture.ts';
import type { Connection } from '../../src/connectors/connector.ts';
import { ConnectorError } from '../../src/connectors/connector-error.ts';
import type { Row } from '../../src/connectors/records.ts';
import type { RunContext } from '../../src/domain/run-context.ts';
import type { InMemoryStore } from './in-memory-connector.ts';

export interface InMemoryChangeLog {
  readonly capture: ChangeCaptureSource;
  /** The source connection with `changeCapture` added. */
  readonly connection: Connection;
  /** Applies a source transaction to the tables and the log. */
  commit(changes: Change[], committedAt?: Date): void;
  /** Streams that exist (created by start, removed by drop). */
  readonly streams: Set<string>;
  readonly dropped: string[];
  readonly confirmed: string[];
  /** `start`, `confirm:<position>` in call order (tests add their own events, e.g. checkpoint saves). */
  readonly events: string[];
  /** Tables whose identity is missing (no key, no REPLICA IDENTITY FULL): check() reports replica_identity. */
  readonly withoutIdentity: Set<string>;
  /** Bytes behind that lag() reports. */
  bytesBehind: number;
}

const keyOf = (row: Row, key: string[]) => JSON.stringify(key.map((field) => row[field] ?? null));

export function createInMemoryChangeLog(
  store: InMemoryStore,
  database: string,
  connection: Connection,
): InMemoryChangeLog {
  const log: Array<{ changes: Change[]; committedAt: Date }> = [];
  const streams = new Set<string>();
  const dropped: string[] = [];
  const confirmed: string[] = [];
  const events: string[] = [];
  const withoutIdentity = new Set<string>();
  let wake: () => void = () => {};
  const tables = () => store.get(database)!;

  const applyToTables = (change: Change) => {
    const table = tables().get(change.schemaId);
    if (!table) throw new Error(`no table ${change.schemaId}`);
    const key = table.fields.filter((field) => field.is_primary_key).map((field) => field.id);
    const identity = key.length > 0 ? key : table.fields.map((field) => field.id);
    if (change.kind === 'truncate') table.rows = [];
    else if (change.kind === 'schema') table.fields = change.fields.map((field) => ({ ...field }));
    else if (change.kind === 'delete') {
      const index = table.rows.findIndex((row) => keyOf(row, identity) === keyOf(change.key, identity));
      if (index >= 0) table.rows.splice(index, 1);
    } else {
      const index = key.length > 0 ? table.rows.findIndex((row) => keyOf(row, key) === keyOf(change.row, key)) : -1;
      const carried = { ...change.row };
      for (const field of change.unchanged ?? []) delete carried[field];
      if (index >= 0) table.rows[index] = { ...table.rows[index], ...carried };
      else table.rows.push({ ...change.row });
    }
  };

  const capture: ChangeCaptureSource = {
    async check(_context, schemaIds) {
      const missing = (schemaIds ?? []).filter((id) => withoutIdentity.has(id));
      const requirements: ChangeCaptureRequirement[] = [
        { name: 'wal_level', ok: true, message: 'wal_level is logical' },
      ];
      requirements.push({
        name: 'replica_identity',
        ok: missing.length === 0,
        message:
          missing.length === 0
            ? 'every table has a primary key or REPLICA IDENTITY FULL'
            : `${missing.join(', ')} has no primary key and no REPLICA IDENTITY FULL; run ALTER TABLE ${missing[0]} REPLICA IDENTITY FULL`,
      });
      return requirements;
    },
    async start(_context, request) {
      if (streams.has(request.streamId))
        throw new ConnectorError(`stream ${request.streamId} already exists`, { code: 'invalid_configuration' });
      streams.add(request.streamId);
      events.push('start');
      return { position: String(log.length), snapshot: { id: `snapshot-${log.length}`, release: async () => {} } };
    },
    async stream(context, request): Promise<ChangeStream> {
      if (!streams.has(request.streamId))
        throw new ConnectorError(`no stream ${request.streamId}`, { code: 'object_missing' });
      const end = log.length;
      let closed = false;
      async function* batches(): AsyncGenerator<ChangeBatch> {
        let next = Number(request.from);
        for (;;) {
          while (next < (request.stopAtCurrent ? end : log.length)) {
            context.signal.throwIfAborted();
            const transaction = log[next]!;
            next += 1;
            const wanted = transaction.changes.filter((change) => request.schemaIds.includes(change.schemaId));
            for (let start = 0; start < Math.max(1, wanted.length); start += request.maxChanges) {
              const last = start + request.maxChanges >= wanted.length;
              yield {
                changes: wanted.slice(start, start + request.maxChanges),
                ...(last ? { position: String(next), committedAt: transaction.committedAt } : {}),
              };
            }
          }
          if (request.stopAtCurrent || closed) return;
          await new Promise<void>((resolve, reject) => {
            wake = resolve;
            context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
          });
        }
      }
      const iterator = batches();
      return {
        [Symbol.asyncIterator]: () => iterator,
        async confirm(position) {
          confirmed.push(position);
          events.push(`confirm:${position}`);
        },
        async close() {
          closed = true;
          wake();
        },
      };
    },
    async lag(_context: RunContext) {
      return { bytesBehind: changeLog.bytesBehind };
    },
    async drop(_context, streamId) {
      streams.delete(streamId);
      dropped.push(streamId);
    },
    async list(_context, prefix) {
      return [...streams].filter((id) => id.startsWith(prefix));
    },
  };

  const changeLog: InMemoryChangeLog = {
    capture,
    connection: Object.assign(Object.create(connection) as Connection, { changeCapture: capture }),
    commit(changes, committedAt = new Date()) {
      for (const change of changes) applyToTables(change);
      log.push({ changes: structuredClone(changes), committedAt });
      wake();
    },
    streams,
    dropped,
    confirmed,
    events,
    withoutIdentity,
    bytesBehind: 0,
  };
  return changeLog;
}
