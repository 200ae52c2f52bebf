// The binlog as an async sequence of decoded events, read as a replica reads it (COM_BINLOG_DUMP, through
// @vlasky/zongji). The library pushes events as they arrive; this pulls: past a high-water mark of undelivered events
// the socket is paused, and resumed once the consumer has caught up, so memory stays bounded however large a
// transaction is and however slowly the destination applies.
import { randomInt } from 'node:crypto';
import ZongJi, { type AnyBinlogEvent } from '@vlasky/zongji';
import type { RunContext } from '../../domain/run-context.ts';
import { ConnectorError, canceledError } from '../connector-error.ts';
import type { MysqlBinlogPosition } from './mysql-binlog-position.ts';
import { serverErrno } from './mysql-binlog-status.ts';
import type { MysqlClient } from './mysql-client.ts';
import { classifyMysqlError } from './mysql-errors.ts';

const pauseAt = 512;
const resumeAt = 128;

export interface BinlogEvents extends AsyncIterable<AnyBinlogEvent> {
  /** Events received and not yet taken: none means the consumer has caught up with the server. */
  buffered(): number;
  close(): Promise<void>;
}

/** Replica server ids must be unique among a server's replicas: a random one per stream, away from small ids. */
function replicaServerId(): number {
  return randomInt(1_000_000, 4_294_967_295);
}

/**
 * The replication connection's socket. Backpressure pauses the socket itself, not the mysql2 connection: the library
 * pauses the connection while it looks up a table's columns and must stay the only one to resume it, or row events
 * would be decoded before their table is known. Packets that arrive while the library has paused the connection are
 * queued by mysql2 whatever the socket does.
 */
function socketOf(zongji: ZongJi): { pause(): void; resume(): void } | undefined {
  return (zongji.connection as unknown as { stream?: { pause(): void; resume(): void } } | null)?.stream;
}

function binlogError(error: unknown): ConnectorError {
  const errno = serverErrno(error);
  // 1236: the requested place is no longer in the log (purged), or never was; MariaDB says 1945/1955 for a GTID
  // position ahead of its log. Retrying cannot help: a new snapshot is needed.
  if (errno === 1236 || errno === 1945 || errno === 1955) {
    return new ConnectorError(
      `The binlog no longer holds the position to resume from, so changes since then are lost to Ferry; the sync needs a new initial copy (keep binlogs longer: binlog_expire_logs_seconds / expire_logs_days). ${(error as Error).message}`,
      { code: 'object_missing', cause: error },
    );
  }
  return classifyMysqlError(error, 'Reading the binlog');
}

/**
 * Events after `from`, for row events only of `tables` (`database.table`); transaction and statement events of
 * every table still arrive, since they carry the positions.
 */
export function openBinlogEvents(
  context: RunContext,
  client: MysqlClient,
  request: { from: MysqlBinlogPosition; tables: string[] },
): BinlogEvents {
  const includeSchema: Record<string, string[]> = {};
  for (const table of request.tables) {
    const dot = table.indexOf('.');
    const database = dot < 0 ? client.database : table.slice(0, dot);
    const tables = includeSchema[database] ?? [];
    tables.push(dot < 0 ? table : table.slice(dot + 1));
    includeSchema[database] = tables;
  }
  // The pool's settings, so values decode as the table reads decode them (exact BIGINT and DECIMAL strings,
  // temporal values as text), in UTC, with JSON as text.
  const zongji = new ZongJi({ ...client.options, timezone: 'Z', jsonStrings: true } as never);
  const queue: AnyBinlogEvent[] = [];
  let failure: ConnectorError | undefined;
  let ended = false;
  let paused = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  zongji.on('binlog', (event) => {
    if (ended) return;
    queue.push(event);
    if (queue.length >= pauseAt) {
      // The library resumes the socket after its own metadata lookups; pausing again on every event past the mark
      // keeps the overshoot to one socket read.
      paused = true;
      socketOf(zongji)?.pause();
    }
    notify();
  });
  zongji.on('error', (error) => {
    failure ??= binlogError(error);
    notify();
  });
  const from = request.from;
  zongji.start({
    serverId: replicaServerId(),
    ...(from.gtids ? { gtidSet: from.gtids } : { filename: from.file, position: from.offset }),
    includeSchema,
  });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      ended = true;
      notify();
      zongji.once('stopped', () => resolve());
      zongji.stop();
    });
    return closing;
  };
  const onAbort = () => {
    failure ??= canceledError(context.signal);
    void close();
    notify();
  };
  context.signal.addEventListener('abort', onAbort, { once: true });

  async function* events(): AsyncGenerator<AnyBinlogEvent> {
    try {
      while (true) {
        if (context.signal.aborted) throw canceledError(context.signal);
        // An error ends the stream at once, before events queued behind it: after some errors (a table's columns no
        // longer matching its rows) the library goes on without the rows it could not decode, and a commit delivered
        // after that would carry a position past them.
        if (failure) throw failure;
        const event = queue.shift();
        if (event) {
          if (paused && queue.length <= resumeAt) {
            paused = false;
            socketOf(zongji)?.resume();
          }
          yield event;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      context.signal.removeEventListener('abort', onAbort);
      await close();
    }
  }
  return { [Symbol.asyncIterator]: events, buffered: () => queue.length, close };
}
