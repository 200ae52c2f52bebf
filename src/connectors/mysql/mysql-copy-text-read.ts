// One streamed MySQL query read as COPY text (mysql-copy-text-lines.ts), cut into chunks of rows. mysql2 has no
// public way to see a row's bytes, so the query's row state is replaced on this one command: it receives each row
// packet and prints it, instead of building a row object (mysql2 3.24.6, pinned; the value tests cover the path).
// Printed buffers queue up to a high-water mark, past which the connection is paused (mysql2 then holds the packets
// it already has), so memory holds a few MiB however far the writer falls behind.
import type { Connection } from 'mysql2';
import type { RunContext } from '../../domain/run-context.ts';
import { canceledError } from '../connector-error.ts';
import { CopyTextLines, type CopyTextLinesOptions } from './mysql-copy-text-lines.ts';
import { classifyMysqlError } from './mysql-errors.ts';

/** mysql2's Query command, as far as its row state goes. */
interface RowPacket {
  buffer: Buffer;
  offset: number;
  end: number;
  isEOF(): boolean;
}
type RowState = (packet: RowPacket, connection: unknown) => unknown;
interface QueryCommand {
  row: RowState;
  on(event: 'error', listener: (error: unknown) => void): void;
  on(event: 'end', listener: () => void): void;
}

type Item = Buffer | { rows: number; cursor: unknown } | 'end';

/** Buffered before the connection is paused, and below which it is resumed. */
const highWaterBytes = 2 * 1024 * 1024;
const lowWaterBytes = 512 * 1024;

interface CopyTextChunk {
  /** The chunk's lines; read them to the end before asking for the summary. */
  lines: AsyncIterable<Buffer>;
  /** The chunk's rows and the order column's last non-null value after it (undefined: none yet). */
  summary(): { rows: number; cursor: unknown };
}

export interface CopyTextRead {
  /** The next chunk of up to `chunkSize` rows, or undefined after the last row. */
  nextChunk(): Promise<CopyTextChunk | undefined>;
  /** Whether every row was read (the connection can be reused). */
  readonly finished: boolean;
  /** Stops listening; the caller destroys the connection when the read did not finish (it may be paused). */
  close(): void;
}

export function readCopyText(
  context: RunContext,
  connection: Connection,
  query: { text: string; values: unknown[] },
  options: CopyTextLinesOptions & { chunkSize: number; cursor: unknown },
): CopyTextRead {
  const queue: Item[] = [];
  let queuedBytes = 0;
  let paused = false;
  let failure: unknown;
  let finished = false;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  const lines = new CopyTextLines(options, (buffer) => {
    queue.push(buffer);
    queuedBytes += buffer.length;
    if (!paused && queuedBytes > highWaterBytes) {
      paused = true;
      connection.pause();
    }
    notify();
  });
  let rows = 0;
  let cursor = options.cursor;
  const endChunk = () => {
    lines.flush();
    cursor = lines.cursor() ?? cursor;
    queue.push({ rows, cursor });
    rows = 0;
  };

  const command = connection.query(query.text, query.values) as unknown as QueryCommand;
  const endOfRows = command.row;
  const printRow: RowState = function (this: QueryCommand, packet, state) {
    if (packet.isEOF()) return endOfRows.call(this, packet, state);
    lines.row(packet.buffer, packet.offset, packet.end);
    rows += 1;
    if (rows >= options.chunkSize) endChunk();
    return printRow;
  };
  command.row = printRow;
  command.on('error', (error) => {
    failure ??= error;
    notify();
  });
  command.on('end', () => {
    if (failure !== undefined) return;
    if (rows > 0) endChunk();
    queue.push('end');
    notify();
  });
  const onAbort = () => {
    failure ??= canceledError(context.signal);
    notify();
  };
  context.signal.addEventListener('abort', onAbort, { once: true });

  const next = async (): Promise<Item> => {
    while (true) {
      if (failure !== undefined)
        throw context.signal.aborted ? canceledError(context.signal) : classifyMysqlError(failure);
      const item = queue.shift();
      if (item !== undefined) {
        if (Buffer.isBuffer(item)) {
          queuedBytes -= item.length;
          if (paused && queuedBytes < lowWaterBytes) {
            paused = false;
            connection.resume();
          }
        }
        return item;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  };

  return {
    get finished() {
      return finished;
    },
    async nextChunk() {
      const first = await next();
      if (first === 'end') {
        finished = true;
        return undefined;
      }
      let summary: { rows: number; cursor: unknown } | undefined;
      async function* chunkLines(item: Item): AsyncGenerator<Buffer> {
        for (; ; item = await next()) {
          if (Buffer.isBuffer(item)) yield item;
          else if (item === 'end') throw new Error('The MySQL read ended inside a chunk');
          else {
            summary = item;
            return;
          }
        }
      }
      return {
        lines: chunkLines(first),
        summary: () => {
          if (!summary) throw new Error('The chunk was not read to its end');
          return summary;
        },
      };
    },
    close() {
      context.signal.removeEventListener('abort', onAbort);
    },
  };
}
