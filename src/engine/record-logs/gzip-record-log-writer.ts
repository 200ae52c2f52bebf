// Record logs as gzip JSON Lines: one streamed writer per type, opened on the type's first entry so
// that types with no records produce no file. A file rolls over after `maxRecordsPerFile` entries
// (default 100,000) so that one download stays a sensible size and a reader can page by file.
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip, type Gzip, type ZlibOptions } from 'node:zlib';
import { privateDirectoryMode, privateFileMode } from '../../persistence/private-files.ts';
import { recordLogIndexFile, type ExecutionLogType, type RecordLogIndex, type RecordLogSink } from './record-log.ts';

export interface GzipRecordLogOptions {
  /** Directory for this execution's files; created when missing (0700, files 0600: records are customer data). */
  directory: string;
  /** Entries per file before rolling over to the next. Default 100,000. */
  maxRecordsPerFile?: number;
  /**
   * zlib level. Default 1: logs are written on every run and read rarely. Measured on 100,000
   * record-log lines: level 1 took 50 ms of CPU for 1.29 MB, level 6 took 108 ms for 0.94 MB.
   */
  level?: number;
}

interface OpenFile {
  gzip: Gzip;
  file: WriteStream;
  records: number;
  /** Lines not yet handed to zlib: one zlib call per ~64 KiB instead of one per line (a call per
   * line made gzip the largest CPU cost of a 20,000-row run in bench/model-sync.bench.ts). */
  pending: string[];
  pendingBytes: number;
  /** A disk error, kept so it surfaces on the next write instead of as an unhandled 'error' event. */
  failure?: unknown;
}

function fileName(type: ExecutionLogType, sequence: number): string {
  return `${type}-${String(sequence).padStart(4, '0')}.jsonl.gz`;
}

/** Lines gathered per zlib write. Larger writes (256 KiB) cost more main-thread CPU, not less: each joined string is
 * a large object for the garbage collector, and converting it to bytes a large copy. */
const flushBytes = 64 * 1024;
/** zlib's output chunk: the compressed bytes handed to the file per callback (zlib's processCallback, the pipe, the
 * file's write). At zlib's default of 16 KiB, 200,000 record-log lines cost 20–25 % more main-thread CPU. */
const gzipChunkBytes = 64 * 1024;
/** What zlib may hold uncompressed before a write waits for it: 16 flushes. At zlib's default (16 KiB) every flush
 * waited for 'drain', a listener and a promise per 64 KiB of lines, while zlib keeps up with the run anyway. */
const gzipQueueBytes = 16 * flushBytes;

/** Hands the pending lines to zlib (which compresses on the thread pool); a promise only when zlib pushes back. */
function flush(open: OpenFile): Promise<void> | undefined {
  if (open.pending.length === 0) return undefined;
  const chunk = open.pending.join('');
  open.pending = [];
  open.pendingBytes = 0;
  return open.gzip.write(chunk) ? undefined : once(open.gzip, 'drain').then(() => undefined);
}

async function finish(open: OpenFile): Promise<void> {
  await flush(open);
  const closed = once(open.file, 'close');
  open.gzip.end();
  await closed;
}

export function createGzipRecordLogWriter(options: GzipRecordLogOptions): RecordLogSink {
  const maxRecordsPerFile = options.maxRecordsPerFile ?? 100_000;
  const index: RecordLogIndex = {};
  const open = new Map<ExecutionLogType, OpenFile>();
  const opening = new Map<ExecutionLogType, Promise<void>>();
  let directoryReady: Promise<unknown> | undefined;
  let closing: Promise<RecordLogIndex> | undefined;

  async function openFile(type: ExecutionLogType): Promise<OpenFile> {
    directoryReady ??= mkdir(options.directory, { recursive: true, mode: privateDirectoryMode });
    await directoryReady;
    const entry = index[type] ?? { files: [], records: 0 };
    index[type] = entry;
    const name = fileName(type, entry.files.length + 1);
    entry.files.push(name);
    // zlib streams take stream options too (node:zlib passes them to Transform); @types/node does not list them.
    const gzip = createGzip({
      level: options.level ?? 1,
      chunkSize: gzipChunkBytes,
      writableHighWaterMark: gzipQueueBytes,
    } as ZlibOptions);
    // The file takes a few of zlib's chunks before the pipe pauses zlib (at its default of 16 KiB, every chunk would).
    const file = createWriteStream(join(options.directory, name), {
      mode: privateFileMode,
      highWaterMark: 4 * gzipChunkBytes,
    });
    gzip.pipe(file);
    const handle: OpenFile = { gzip, file, records: 0, pending: [], pendingBytes: 0 };
    file.on('error', (error) => (handle.failure = error));
    gzip.on('error', (error) => (handle.failure = error));
    open.set(type, handle);
    return handle;
  }

  function append(current: OpenFile, type: ExecutionLogType, json: string): Promise<void> | undefined {
    if (current.failure) throw new Error(`record log ${type} could not be written`, { cause: current.failure });
    current.records += 1;
    index[type]!.records += 1;
    current.pending.push(json, '\n');
    current.pendingBytes += json.length + 1;
    return current.pendingBytes >= flushBytes ? flush(current) : undefined;
  }

  async function appendAfterOpening(type: ExecutionLogType, json: string): Promise<void> {
    let current = open.get(type);
    if (current) {
      open.delete(type);
      await finish(current);
    }
    current = await openFile(type);
    await append(current, type, json);
  }

  function writeJson(type: ExecutionLogType, json: string): Promise<void> | undefined {
    if (closing) throw new Error('record log is closed');
    // A type's file being opened (its first line, a rollover) holds the lines written meanwhile, in order: a run writes
    // from two flows at once (the engine's batches, and the delivery in flight), and each would open a file otherwise.
    const waiting = opening.get(type);
    if (waiting) return waiting.then(() => writeJson(type, json));
    const current = open.get(type);
    // A type's first line opens its file; a full file is finished and the next opened.
    if (!current || current.records >= maxRecordsPerFile) {
      const opened = appendAfterOpening(type, json).finally(() => opening.delete(type));
      opening.set(type, opened);
      return opened;
    }
    return append(current, type, json);
  }

  return {
    async write(type, entry) {
      await writeJson(type, JSON.stringify(entry));
    },
    writeJson(type, json) {
      try {
        return writeJson(type, json);
      } catch (error: unknown) {
        return Promise.reject(error);
      }
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(opening.values());
        for (const file of open.values()) await finish(file);
        open.clear();
        if (Object.keys(index).length > 0) {
          await mkdir(options.directory, { recursive: true, mode: privateDirectoryMode });
          await writeFile(join(options.directory, recordLogIndexFile), JSON.stringify(index), {
            mode: privateFileMode,
          });
        }
        return index;
      })();
      return closing;
    },
  };
}
