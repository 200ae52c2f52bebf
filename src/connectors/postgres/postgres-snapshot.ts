// Reading inside a change-capture snapshot (exported by CREATE_REPLICATION_SLOT … EXPORT_SNAPSHOT): a repeatable-read
// transaction that imports it sees the tables exactly at the slot's consistent point. The snapshot stays importable
// while the session that exported it is open and idle, so each reader (and each direct-copy chunk) imports it anew.
import type pg from 'pg';
import { ConnectorError } from '../connector-error.ts';
import { classifyPostgresError } from './postgres-errors.ts';

/** Exported snapshot names are hex groups joined by dashes (`00000003-0000001B-1`). */
const snapshotIdPattern = /^[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+$/;

/** Begins a transaction on `session` inside snapshot `snapshotId`; the caller commits or rolls back. */
export async function beginInSnapshot(session: pg.ClientBase, snapshotId: string): Promise<void> {
  if (!snapshotIdPattern.test(snapshotId))
    throw new ConnectorError(`"${snapshotId}" is not a PostgreSQL snapshot id`, { code: 'invalid_configuration' });
  await session.query('begin isolation level repeatable read read only');
  try {
    await session.query(`set transaction snapshot '${snapshotId}'`);
  } catch (error: unknown) {
    await session.query('rollback').catch(() => {});
    const classified = classifyPostgresError(error);
    throw new ConnectorError(
      `The change-capture snapshot ${snapshotId} can no longer be read (the session that exported it ended): ${classified.message}`,
      { code: 'object_missing', cause: error },
    );
  }
}
