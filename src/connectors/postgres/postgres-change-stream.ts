// One START_REPLICATION session as the contract's ChangeStream: pgoutput decoded into batches of at most
// `maxChanges`, cut at commits when the socket has nothing more to give (so a quiet source is delivered at once) or
// inside a transaction when the batch is full (without a position: memory stays bounded). The slot's confirmed flush
// position moves only with confirm(), sent in standby status updates, which also keep the session inside
// wal_sender_timeout. When the engine has confirmed everything delivered and the server says it has decoded past
// it (a keepalive outside a transaction), the position moves to the keepalive's: writes to tables outside the stream
// then never pin the source's log.
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../../domain/clock.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { Change, ChangeBatch, ChangePosition, ChangeStream } from '../change-capture.ts';
import { ConnectorError, canceledError } from '../connector-error.ts';
import type { PostgresClient } from './postgres-client.ts';
import { PostgresChangeDecoder } from './postgres-change-decoder.ts';
import { classifyPostgresError } from './postgres-errors.ts';
import { formatLsn, parseLsn } from './postgres-lsn.ts';
import type { ReplicationConnection } from './postgres-replication-connection.ts';
import { parseServerMessage, postgresTimestampToDate, standbyStatusUpdate } from './postgres-replication-messages.ts';
import { decodePgoutputMessage } from './pgoutput-messages.ts';

/** Status updates at least this often, and at least three times per wal_sender_timeout. */
const statusIntervalMilliseconds = 10_000;
/** While waiting to reach the stop position on a quiet stream: how often to ask the server where it is. */
const pingIntervalMilliseconds = 50;
/** How long close() waits for the server to end START_REPLICATION before dropping the session. */
const closeGraceMilliseconds = 2000;

export interface PostgresChangeStreamOptions {
  context: RunContext;
  clock: Clock;
  connection: ReplicationConnection;
  catalog: PostgresClient;
  slot: string;
  publication: string;
  schemaIds: string[];
  /** Where the session starts: the later of the requested position and the slot's confirmed flush. */
  from: bigint;
  /** stopAtCurrent: the source's log end when the stream was asked for. */
  stopAt: bigint | undefined;
  maxChanges: number;
  walSenderTimeoutMilliseconds: number;
}

export function openPostgresChangeStream(options: PostgresChangeStreamOptions): ChangeStream {
  const { context, clock, connection, maxChanges } = options;
  const decoder = new PostgresChangeDecoder(options.catalog, options.schemaIds);
  const publication = `"${options.publication.replaceAll('"', '""')}"`.replaceAll("'", "''");
  const duplex: Duplex = connection.copyBoth(
    `START_REPLICATION SLOT ${options.slot} LOGICAL ${formatLsn(options.from)} (proto_version '1', publication_names '${publication}')`,
  );

  let confirmed = options.from;
  /** A keepalive's position outside any transaction, and the last commit delivered before it. */
  let caughtUp: { walEnd: bigint; after: bigint } | undefined;
  let lastCommitEnd = options.from;
  let inTransaction = false;
  let transactionCommittedAt: Date | undefined;
  let batch: Change[] = [];
  let batchPosition: bigint | undefined;
  let batchCommittedAt: Date | undefined;
  let reachedStop = false;
  let pingOutstanding = false;
  let closed = false;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signalWake = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };

  duplex.on('readable', signalWake);
  duplex.on('end', () => {
    ended = true;
    signalWake();
  });
  duplex.on('error', (error: unknown) => {
    failure ??= error;
    signalWake();
  });
  context.signal.addEventListener('abort', signalWake, { once: true });

  const flushPosition = () =>
    caughtUp && confirmed >= caughtUp.after && caughtUp.walEnd > confirmed ? caughtUp.walEnd : confirmed;
  const sendStatus = (replyRequested: boolean) => {
    if (closed || ended || failure !== undefined) return;
    duplex.write(standbyStatusUpdate(flushPosition(), clock.nowMs(), replyRequested));
  };

  const interval = Math.min(
    statusIntervalMilliseconds,
    options.walSenderTimeoutMilliseconds > 0 ? options.walSenderTimeoutMilliseconds / 3 : statusIntervalMilliseconds,
  );
  let statusTimer: TimerHandle | undefined;
  const scheduleStatus = () => {
    statusTimer = clock.setTimeout(() => {
      sendStatus(false);
      if (!closed) scheduleStatus();
    }, interval);
  };
  scheduleStatus();

  const takeBatch = (): ChangeBatch => {
    const taken: ChangeBatch = { changes: batch, committedAt: batchCommittedAt ?? transactionCommittedAt };
    if (batchPosition !== undefined) taken.position = formatLsn(batchPosition);
    batch = [];
    batchPosition = undefined;
    batchCommittedAt = undefined;
    return taken;
  };

  /** Handles one CopyData frame; returns the batches it filled. */
  async function handle(frame: Buffer): Promise<ChangeBatch[]> {
    const message = parseServerMessage(frame);
    if (message.kind === 'keepalive') {
      pingOutstanding = false;
      if (!inTransaction) {
        caughtUp = { walEnd: message.walEnd, after: lastCommitEnd };
        if (options.stopAt !== undefined && message.walEnd >= options.stopAt) reachedStop = true;
      }
      if (message.replyRequested) sendStatus(false);
      return [];
    }
    const decoded = decodePgoutputMessage(message.data);
    const full: ChangeBatch[] = [];
    const add = (change: Change) => {
      if (batch.length >= maxChanges) full.push(takeBatch());
      batch.push(change);
      batchPosition = undefined;
    };
    switch (decoded.tag) {
      case 'begin':
        inTransaction = true;
        transactionCommittedAt = postgresTimestampToDate(decoded.commitTime);
        break;
      case 'commit':
        inTransaction = false;
        lastCommitEnd = decoded.endLsn;
        batchPosition = decoded.endLsn;
        batchCommittedAt = postgresTimestampToDate(decoded.commitTime);
        if (options.stopAt !== undefined && decoded.endLsn >= options.stopAt) reachedStop = true;
        if (batch.length >= maxChanges) full.push(takeBatch());
        break;
      case 'relation': {
        const change = await decoder.relation(context, decoded);
        if (change) add(change);
        break;
      }
      case 'ignored':
        break;
      default:
        for (const change of decoder.rows(decoded)) add(change);
    }
    return full;
  }

  const waitForFrames = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      if (options.stopAt === undefined || reachedStop) return;
      // Ask the server how far it has decoded; its keepalive answer may show the stop position is passed.
      const timer = clock.setTimeout(
        () => {
          if (!pingOutstanding) {
            pingOutstanding = true;
            sendStatus(true);
          }
          signalWake();
        },
        pingOutstanding ? pingIntervalMilliseconds : 0,
      );
      wake = () => {
        clock.clearTimeout(timer);
        resolve();
      };
    });

  async function* batches(): AsyncGenerator<ChangeBatch> {
    try {
      while (true) {
        if (context.signal.aborted) throw canceledError(context.signal);
        if (failure !== undefined) throw classifyPostgresError(failure, 'Replication stream');
        if (closed) return;
        // Past the stop position and between transactions: done, even if a busy source has sent more already.
        const finished = reachedStop && !inTransaction;
        const frame = finished ? null : (duplex.read() as Buffer | null);
        if (frame !== null) {
          for (const full of await handle(frame)) {
            context.heartbeat();
            yield full;
          }
          continue;
        }
        if (!inTransaction && batch.length > 0) {
          context.heartbeat();
          yield takeBatch();
          continue;
        }
        if (finished) return;
        if (ended) {
          throw new ConnectorError('The server ended the replication stream', { code: 'transient', retryable: true });
        }
        await waitForFrames();
      }
    } finally {
      await close();
    }
  }

  let closing: Promise<void> | undefined;
  function close() {
    closing ??= (async () => {
      sendStatus(false);
      const live = !ended && failure === undefined;
      closed = true;
      if (statusTimer) clock.clearTimeout(statusTimer);
      context.signal.removeEventListener('abort', signalWake);
      signalWake();
      // CopyDone ends START_REPLICATION: the walsender releases the slot before it answers, so a new stream can
      // take the slot at once. Frames still buffered are discarded so the answer can arrive.
      if (live) {
        duplex.removeListener('readable', signalWake);
        duplex.resume();
        await new Promise<void>((resolve) => {
          const timer = clock.setTimeout(resolve, closeGraceMilliseconds);
          duplex.once('finish', () => {
            clock.clearTimeout(timer);
            resolve();
          });
          duplex.once('error', resolve);
          duplex.end();
        });
      }
      await connection.close();
    })();
    return closing;
  }

  return {
    [Symbol.asyncIterator]: batches,
    async confirm(position: ChangePosition) {
      const lsn = parseLsn(position);
      if (lsn <= confirmed) return;
      confirmed = lsn;
      sendStatus(false);
    },
    close,
  };
}
