// Binlog events → Ferry changes, and where transactions end. Row events become upserts and deletes of tracked
// tables, with values decoded exactly as a table read decodes them; TRUNCATE and ALTER TABLE statements become
// truncate and schema changes. Every event that closes a transaction (XID, COMMIT, a standalone DDL statement) is a
// boundary: the place after it, with the GTID state including it, is a position a new stream can resume from.
import { type AnyBinlogEvent, type BinlogEventByTypeName, GtidSet, MariadbGtidPosition } from '@vlasky/zongji';
import type { RunContext } from '../../domain/run-context.ts';
import type { Change } from '../change-capture.ts';
import type { Row } from '../records.ts';
import type { MysqlBinlogPosition } from './mysql-binlog-position.ts';
import { parseBinlogStatement } from './mysql-binlog-statements.ts';
import type { MysqlClient } from './mysql-client.ts';
import { describeMysqlTables, type MysqlSchema, withoutKinds } from './mysql-introspector.ts';
import { decodeMysqlValue } from './mysql-types.ts';

export interface DecodedEvent {
  changes: Change[];
  /**
   * Set when no transaction is open after the event: it closed one (XID, COMMIT, a statement of its own; then
   * `committedAt` is its time) or it lies between transactions.
   */
  place?: { position: MysqlBinlogPosition; committedAt?: Date };
}

/** The GTID state after each transaction, in the flavour's resume form. */
interface GtidTracker {
  begin(event: AnyBinlogEvent): void;
  commit(): void;
  toString(): string;
}

function gtidTracker(from: string): GtidTracker {
  // A MariaDB position never contains ':'; a MySQL GTID set always does (an empty one is read as MariaDB's, and the
  // first MySQL GTID event switches it).
  let mysql: GtidSet | undefined = from.includes(':') ? GtidSet.parse(from) : undefined;
  const mariadb = MariadbGtidPosition.parse(mysql ? '' : from);
  let pending: (() => void) | undefined;
  return {
    begin(event) {
      pending = undefined;
      if (event.getTypeName() === 'MariadbGtid') {
        const gtid = event as BinlogEventByTypeName<'MariadbGtid'>;
        pending = () => mariadb.add(gtid);
      } else if (event.getTypeName() === 'Gtid') {
        const gtid = (event as BinlogEventByTypeName<'Gtid'>).gtid;
        pending = () => {
          mysql ??= GtidSet.parse('');
          mysql.add(gtid);
        };
      }
    },
    commit() {
      pending?.();
      pending = undefined;
    },
    toString: () => (mysql ? mysql.toString() : mariadb.toString()),
  };
}

const keyText = (row: Row, key: string[]) =>
  JSON.stringify(
    key.map((field) => (row[field] instanceof Uint8Array ? Buffer.from(row[field]).toString('hex') : row[field])),
  );

export interface BinlogChangeDecoder {
  decode(event: AnyBinlogEvent): Promise<DecodedEvent>;
}

/**
 * `schemaIds` as the engine names them (`database.table`, or a bare table of the configured database); changes
 * carry those ids. `from` is where the stream starts, so the first boundary's file is known before any rotate.
 */
export function createBinlogChangeDecoder(
  context: RunContext,
  client: MysqlClient,
  request: { schemaIds: string[]; from: MysqlBinlogPosition },
): BinlogChangeDecoder {
  const qualify = (id: string) => (id.includes('.') ? id : `${client.database}.${id}`);
  const tracked = new Map(request.schemaIds.map((id) => [qualify(id), id]));
  const schemas = new Map<string, MysqlSchema>();
  let file = request.from.file;
  const gtids = request.from.gtids === undefined ? undefined : gtidTracker(request.from.gtids);
  // A GTID event opens a group that its commit closes; BEGIN (or MariaDB's non-standalone GTID) makes the group a
  // transaction, in which statements do not close it.
  let inGroup = false;
  let inTransaction = false;

  async function describe(table: string, refresh = false): Promise<MysqlSchema | undefined> {
    if (!refresh && schemas.has(table)) return schemas.get(table);
    const [schema] = await describeMysqlTables(context, client, table);
    if (schema) schemas.set(table, schema);
    return schema;
  }

  async function rowChanges(event: AnyBinlogEvent): Promise<Change[]> {
    const rowsEvent = event as BinlogEventByTypeName<'WriteRows' | 'UpdateRows' | 'DeleteRows'>;
    const map = rowsEvent.tableMap[rowsEvent.tableId];
    if (!map) return [];
    const table = `${map.parentSchema}.${map.tableName}`;
    const schemaId = tracked.get(table);
    if (schemaId === undefined) return [];
    const schema = await describe(table);
    const decode = (raw: Row): Row => {
      const row: Row = {};
      for (const [field, value] of Object.entries(raw)) {
        row[field] = decodeMysqlValue(schema?.kinds.get(field) ?? 'other', value);
      }
      return row;
    };
    const key = schema?.fields.filter((field) => field.is_primary_key).map((field) => field.id) ?? [];
    // Without a primary key the whole old row identifies the row to delete (binlog_row_image=FULL carries it).
    const keyOf = (row: Row): Row =>
      key.length === 0 ? row : Object.fromEntries(key.map((field) => [field, row[field]]));
    const changes: Change[] = [];
    switch (event.getTypeName()) {
      case 'WriteRows':
        for (const raw of (rowsEvent as BinlogEventByTypeName<'WriteRows'>).rows)
          changes.push({ kind: 'upsert', schemaId, row: decode(raw) });
        break;
      case 'UpdateRows':
        for (const { before, after } of (rowsEvent as BinlogEventByTypeName<'UpdateRows'>).rows) {
          const old = decode(before);
          const row = decode(after);
          // An update that moves a row to another key removes it under the old one.
          if (key.length === 0 || keyText(old, key) !== keyText(row, key))
            changes.push({ kind: 'delete', schemaId, key: keyOf(old) });
          changes.push({ kind: 'upsert', schemaId, row });
        }
        break;
      default:
        for (const raw of (rowsEvent as BinlogEventByTypeName<'DeleteRows'>).rows)
          changes.push({ kind: 'delete', schemaId, key: keyOf(decode(raw)) });
    }
    return changes;
  }

  async function statementChanges(event: BinlogEventByTypeName<'Query'>) {
    const statement = parseBinlogStatement(event.query, event.schema);
    const changes: Change[] = [];
    let closes = false;
    switch (statement.kind) {
      case 'begin':
        inTransaction = true;
        break;
      case 'commit':
      case 'rollback':
        closes = true;
        break;
      case 'truncate': {
        const schemaId = tracked.get(statement.table);
        if (schemaId !== undefined) changes.push({ kind: 'truncate', schemaId });
        closes = !inTransaction;
        break;
      }
      case 'alter': {
        const schemaId = tracked.get(statement.table);
        const schema = schemaId === undefined ? undefined : await describe(statement.table, true);
        if (schemaId !== undefined && schema)
          changes.push({ kind: 'schema', schemaId, fields: withoutKinds(schema).fields });
        closes = !inTransaction;
        break;
      }
      default:
        closes = !inTransaction;
    }
    return { changes, closes };
  }

  // A place where no transaction is open: just after a commit, or at an event between transactions (a file's
  // header events, a checkpoint, a heartbeat). Resuming there misses nothing and repeats nothing.
  const place = (event: AnyBinlogEvent, committed: boolean): DecodedEvent['place'] => {
    if (!(event.nextPosition > 0)) return undefined;
    const position: MysqlBinlogPosition = { file, offset: event.nextPosition };
    if (gtids) position.gtids = gtids.toString();
    return committed ? { position, committedAt: new Date(event.timestamp) } : { position };
  };
  const commit = (event: AnyBinlogEvent) => {
    inGroup = false;
    inTransaction = false;
    gtids?.commit();
    return place(event, true);
  };

  return {
    async decode(event) {
      switch (event.getTypeName()) {
        case 'Rotate': {
          const rotate = event as BinlogEventByTypeName<'Rotate'>;
          file = rotate.binlogName;
          if (inGroup || inTransaction) return { changes: [] };
          const position: MysqlBinlogPosition = { file, offset: rotate.position };
          if (gtids) position.gtids = gtids.toString();
          return { changes: [], place: { position } };
        }
        case 'MariadbGtid':
          gtids?.begin(event);
          inGroup = true;
          inTransaction = !(event as BinlogEventByTypeName<'MariadbGtid'>).standalone;
          return { changes: [] };
        case 'Gtid':
        case 'AnonymousGtid':
          gtids?.begin(event);
          inGroup = true;
          inTransaction = false;
          return { changes: [] };
        case 'WriteRows':
        case 'UpdateRows':
        case 'DeleteRows':
          return { changes: await rowChanges(event) };
        case 'Xid':
        case 'XaPrepare':
          return { changes: [], place: commit(event) };
        case 'Query': {
          const { changes, closes } = await statementChanges(event as BinlogEventByTypeName<'Query'>);
          return closes ? { changes, place: commit(event) } : { changes };
        }
        case 'TableMap':
          return { changes: [] };
        default:
          return inGroup || inTransaction ? { changes: [] } : { changes: [], place: place(event, false) };
      }
    },
  };
}
