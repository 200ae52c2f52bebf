// A walsender session: a `pg` Client opened with `replication: 'database'`, which accepts the replication commands
// (CREATE_REPLICATION_SLOT, START_REPLICATION) besides simple SQL. Streaming uses pg-copy-streams' CopyBoth duplex,
// read one CopyData frame at a time (alignOnCopyDataFrame, object mode), so the socket is read only as fast as the
// stream's consumer pulls: a huge source transaction backs up on the server, not in Ferry's memory.
import type { Duplex } from 'node:stream';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { RunContext } from '../../domain/run-context.ts';
import { canceledError, throwIfAborted } from '../connector-error.ts';
import { postgresClientConfig } from './postgres-client.ts';
import type { PostgresConfiguration } from './postgres-configuration.ts';
import { classifyPostgresError } from './postgres-errors.ts';

// @types/pg-copy-streams does not declare copy-both (the library has it since 5.1).
const copyBoth = (copyStreams as unknown as { both(text: string, options: object): Duplex & pg.Submittable }).both;

/** CopyData frames buffered ahead of the consumer. */
const framesAhead = 64;
/** How long close() waits for the server to end the session before dropping the socket. */
const closeGraceMilliseconds = 2000;

export interface ReplicationConnection {
  /** A replication command or simple SQL; rejects canceled (and ends the session) when `context.signal` aborts. */
  query<Row extends pg.QueryResultRow>(context: RunContext, text: string): Promise<Row[]>;
  /** START_REPLICATION's CopyBoth stream: each read is one CopyData payload; writes are sent as CopyData. */
  copyBoth(text: string): Duplex;
  /** Ends the session (a walsender holding a slot releases it). Idempotent. */
  close(): Promise<void>;
}

export async function openReplicationConnection(
  context: RunContext,
  configuration: PostgresConfiguration,
): Promise<ReplicationConnection> {
  throwIfAborted(context.signal);
  const client = new pg.Client({ ...postgresClientConfig(configuration), replication: 'database' } as pg.ClientConfig);
  // A session the server ends (terminated walsender, restart) must not crash the process.
  client.on('error', () => {});
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const socket = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
      const timer = setTimeout(() => socket?.destroy(), closeGraceMilliseconds);
      await client.end().catch(() => {});
      clearTimeout(timer);
    })();
    return closing;
  };
  const onAbort = () => void close();
  context.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
  } catch (error: unknown) {
    await close();
    throw context.signal.aborted ? canceledError(context.signal) : classifyPostgresError(error);
  } finally {
    context.signal.removeEventListener('abort', onAbort);
  }
  return {
    async query<Row extends pg.QueryResultRow>(queryContext: RunContext, text: string) {
      throwIfAborted(queryContext.signal);
      // A replication command cannot be canceled in place; ending the session stops it (CREATE_REPLICATION_SLOT
      // may wait for every running transaction to finish).
      const abort = () => void close();
      queryContext.signal.addEventListener('abort', abort, { once: true });
      try {
        return (await client.query<Row>(text)).rows;
      } catch (error: unknown) {
        if (queryContext.signal.aborted) throw canceledError(queryContext.signal);
        throw classifyPostgresError(error);
      } finally {
        queryContext.signal.removeEventListener('abort', abort);
      }
    },
    copyBoth(text) {
      return client.query(
        copyBoth(text, { alignOnCopyDataFrame: true, readableObjectMode: true, readableHighWaterMark: framesAhead }),
      );
    },
    close,
  };
}
