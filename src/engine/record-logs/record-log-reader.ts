// Reads record logs back: the index of a directory, and one file's entries streamed line by line.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { recordLogIndexFile, type RecordLogIndex } from './record-log.ts';

/** The index written by the writer; empty when the execution wrote no record log at all. */
export async function readRecordLogIndex(directory: string): Promise<RecordLogIndex> {
  try {
    return JSON.parse(await readFile(join(directory, recordLogIndexFile), 'utf8')) as RecordLogIndex;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`record log index in ${directory} is unreadable`, { cause: error });
  }
}

/** Streams the entries of one log file; `name` is taken as a bare file name (no path traversal). */
export async function* readRecordLogFile(directory: string, name: string): AsyncIterable<unknown> {
  const stream = createReadStream(join(directory, basename(name))).pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line !== '') yield JSON.parse(line);
  }
}
