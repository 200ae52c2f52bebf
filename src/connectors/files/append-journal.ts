// An append in place that a crash cannot leave half done. Before the format changes the file, the bytes it will
// change (a Parquet footer; nothing for CSV and JSON Lines, which only add bytes) are saved with their offset in a
// journal, written to a temporary name, synced and renamed, so the journal is whole or absent. The append is then
// synced, and only then is the journal removed (and its removal synced): a write that returned is durable, and an
// append whose journal is still there was interrupted before its write returned, so the engine has not checkpointed
// it. Restoring cuts the file back to the offset and puts the saved bytes back: the file is byte for byte what it was
// before the append, and the engine's resume writes the batch again.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

interface Journal {
  version: 1;
  /** Where the append started changing the file. */
  offset: number;
  /** The file's bytes from `offset` to its end before the append, base64. */
  tail: string;
}

/** Syncs a file's data (`r+`) or a directory's entries (`r`) to disk. */
async function sync(path: string, flags: 'r' | 'r+'): Promise<void> {
  const handle = await open(path, flags);
  try {
    await (flags === 'r' ? handle.sync() : handle.datasync());
  } finally {
    await handle.close();
  }
}

const syncDirectory = (directory: string) => sync(directory, 'r');
const syncFile = (path: string) => sync(path, 'r+');

async function readTail(path: string, offset: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(Math.max(0, size - offset));
    if (tail.length > 0) await handle.read(tail, 0, tail.length, offset);
    return tail;
  } finally {
    await handle.close();
  }
}

async function writeJournal(journalPath: string, journal: Journal): Promise<void> {
  const temporary = join(dirname(journalPath), `tmp-${randomUUID()}.json`);
  await mkdir(dirname(journalPath), { recursive: true });
  try {
    await writeFile(temporary, JSON.stringify(journal));
    await syncFile(temporary);
    await rename(temporary, journalPath);
  } catch (error: unknown) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(journalPath));
}

async function removeJournal(journalPath: string): Promise<void> {
  await rm(journalPath, { force: true });
  await syncDirectory(dirname(journalPath));
}

/**
 * Runs `append` on `path`, which calls `beforeChange(offset)` before it changes any byte at or after `offset` (and
 * none before). Returns once the appended bytes are durable; on an error, the file is restored before it rethrows.
 */
export async function appendDurably(
  path: string,
  journalPath: string,
  append: (beforeChange: (offset: number) => Promise<void>) => Promise<void>,
): Promise<void> {
  let journaled = false;
  try {
    await append(async (offset) => {
      const tail = await readTail(path, offset);
      await writeJournal(journalPath, { version: 1, offset, tail: tail.toString('base64') });
      journaled = true;
    });
    if (!journaled) throw new Error(`the append to ${path} did not say where it changes the file`);
    await syncFile(path);
  } catch (error: unknown) {
    // When the restore fails too, the journal stays and the next operation on the table restores.
    if (journaled) await restoreInterruptedAppend(path, journalPath).catch(() => undefined);
    throw error;
  }
  await removeJournal(journalPath);
}

/** Puts back the file as it was before an interrupted append, when a journal says one was; false when none was. */
export async function restoreInterruptedAppend(path: string, journalPath: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch (error: unknown) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
  const journal = JSON.parse(text) as Journal;
  const tail = Buffer.from(journal.tail, 'base64');
  const { size } = await stat(path);
  if (size < journal.offset) throw new Error(`${path} is shorter than before its interrupted append`);
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(journal.offset);
    if (tail.length > 0) await handle.write(tail, 0, tail.length, journal.offset);
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await removeJournal(journalPath);
  return true;
}

/** Whether an interrupted append left its journal (cheap: one stat). */
export async function hasInterruptedAppend(journalPath: string): Promise<boolean> {
  try {
    await stat(journalPath);
    return true;
  } catch (error: unknown) {
    if ((error as { code?: string }).code === 'ENOENT') return false;
    throw error;
  }
}
