// The consistent snapshot a change stream starts from: one dedicated connection holding a REPEATABLE READ
// transaction whose view matches a binlog place exactly. Reads given its id (ReadRequest.sourceSnapshot) run on that
// connection inside the transaction, one at a time (a connection runs one statement at a time), so the initial copy
// sees the tables exactly at the position the stream starts from.
//
// MariaDB reports the binlog place of a consistent snapshot itself (Binlog_snapshot_file/_position), so no lock is
// taken. MySQL has no such status: FLUSH TABLES WITH READ LOCK stops commits for the few milliseconds it takes to
// open the snapshot and read SHOW MASTER STATUS, and needs the RELOAD privilege.
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mysql2';
import type { RunContext } from '../../domain/run-context.ts';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { MysqlBinlogPosition } from './mysql-binlog-position.ts';
import {
  currentBinlogEnd,
  currentGtids,
  type MysqlQuery,
  type MysqlServerFlavour,
  serverErrno,
  serverFlavour,
} from './mysql-binlog-status.ts';
import type { MysqlClient } from './mysql-client.ts';
import { classifyMysqlError } from './mysql-errors.ts';

/** A turn on the snapshot's connection; `done(false)` when a statement's result was left unread. */
interface SnapshotLease {
  connection: Connection;
  done(finished: boolean): void;
}

interface HeldSnapshot {
  lease(context: RunContext): Promise<SnapshotLease>;
  release(): Promise<void>;
}

export interface MysqlSnapshots {
  /** Opens a snapshot and the binlog place it is consistent with. */
  open(context: RunContext, streamId: string): Promise<{ id: string; position: MysqlBinlogPosition }>;
  /** A turn on snapshot `id`'s connection; throws object_missing for an unknown or released snapshot. */
  lease(context: RunContext, id: string): Promise<SnapshotLease>;
  release(id: string): Promise<void>;
  releaseAll(): Promise<void>;
}

const snapshotLockPrivilege = 'RELOAD';
const snapshotLockWaitSeconds = 5;

async function snapshotPlace(query: MysqlQuery, flavour: MysqlServerFlavour): Promise<MysqlBinlogPosition> {
  await query('set session transaction isolation level repeatable read');
  if (flavour.mariadb) {
    await query('start transaction with consistent snapshot');
    const rows = await query<{ Variable_name: string; Value: string }[]>("show status like 'binlog_snapshot_%'");
    const status = new Map(rows.map((row) => [row.Variable_name.toLowerCase(), row.Value]));
    const file = status.get('binlog_snapshot_file');
    const offset = Number(status.get('binlog_snapshot_position'));
    if (file && Number.isSafeInteger(offset)) {
      const [gtid] = await query<{ gtids: string | null }[]>('select binlog_gtid_pos(?, ?) as gtids', [file, offset]);
      const gtids = gtid?.gtids ?? undefined;
      return gtids === undefined ? { file, offset } : { file, offset, gtids: gtids.replace(/\s/g, '') };
    }
    await query('rollback');
  }
  try {
    // FLUSH TABLES WITH READ LOCK waits for running statements, and every write waits behind it: give up after a few
    // seconds rather than stall the server's writers behind a long query.
    await query(`set session lock_wait_timeout = ${snapshotLockWaitSeconds}`);
    await query('flush tables with read lock');
  } catch (error: unknown) {
    if (serverErrno(error) !== 1227) throw error;
    throw new ConnectorError(
      `Opening a snapshot consistent with the binlog needs FLUSH TABLES WITH READ LOCK, which needs the ${snapshotLockPrivilege} privilege: GRANT RELOAD ON *.* TO the account`,
      { code: 'permission_denied', cause: error },
    );
  }
  try {
    await query('start transaction with consistent snapshot');
    const end = await currentBinlogEnd(query);
    if (!end)
      throw new ConnectorError('Binary logging is off (log_bin); no position to start from', { code: 'unsupported' });
    const gtids = await currentGtids(query, flavour);
    return gtids === undefined ? end : { ...end, gtids };
  } finally {
    await query('unlock tables');
  }
}

function holdSnapshot(connection: Connection, onReleased: () => void): HeldSnapshot {
  let tail: Promise<void> = Promise.resolve();
  let lost = false;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    onReleased();
    await tail;
    if (lost) return;
    await connection
      .promise()
      .query('commit')
      .catch(() => {});
    await connection
      .promise()
      .end()
      .catch(() => connection.destroy());
  };
  return {
    async lease(context) {
      const previous = tail;
      let endTurn = () => {};
      tail = new Promise((resolve) => {
        endTurn = resolve;
      });
      await previous;
      if (lost || released) {
        endTurn();
        throw new ConnectorError(
          lost
            ? 'The change-capture snapshot was lost: a read on it stopped early, so its connection was closed'
            : 'The change-capture snapshot was released',
          { code: 'object_missing' },
        );
      }
      try {
        throwIfAborted(context.signal);
      } catch (error: unknown) {
        endTurn();
        throw error;
      }
      return {
        connection,
        done(finished) {
          // A result left unread would have to be drained before the next statement; closing is cheaper, and the
          // snapshot cannot be reopened at the same place, so later reads fail naming why.
          if (!finished) {
            lost = true;
            connection.destroy();
          }
          endTurn();
        },
      };
    },
    release,
  };
}

export function createMysqlSnapshots(client: MysqlClient): MysqlSnapshots {
  const held = new Map<string, HeldSnapshot>();
  return {
    async open(context, streamId) {
      const connection = await client.dedicatedConnection(context);
      const query: MysqlQuery = async <T>(text: string, values?: unknown[]) => {
        try {
          const [rows] = await connection.promise().query(text, values);
          return rows as T;
        } catch (error: unknown) {
          throw classifyMysqlError(error);
        }
      };
      try {
        const position = await snapshotPlace(query, await serverFlavour(query));
        const id = `${streamId}.${randomUUID()}`;
        held.set(
          id,
          holdSnapshot(connection, () => held.delete(id)),
        );
        return { id, position };
      } catch (error: unknown) {
        connection.destroy();
        throw error;
      }
    },
    async lease(context, id) {
      const snapshot = held.get(id);
      if (!snapshot) throw new ConnectorError(`No change-capture snapshot ${id} is open`, { code: 'object_missing' });
      return snapshot.lease(context);
    },
    async release(id) {
      await held.get(id)?.release();
    },
    async releaseAll() {
      await Promise.all([...held.values()].map((snapshot) => snapshot.release()));
    },
  };
}
