// StateCacheArchive as one file per sync in a private directory (FERRY_DATA_DIR/state-cache): what a worker's state
// cache knew of each sync when it stopped, for the first run after the restart.
//
// The format is binary and columnar so that a read is one file read, one checksum and a pass over typed arrays: all
// strings are one text (latin1 when every character fits, else UTF-16), cut by end offsets; a memo row's values are
// a type tag and a float each (a number, or a string's end offset in the text). JSON or v8.deserialize of the same
// 100,000-row entry took 180–300 ms, about what the cold diff it replaces costs.
//
//   "FERRYSC1" | u32 header length | header JSON | padding to 8 | body
//   body: u32 slotEnds[2 × slots] (key end, kept end) | u32 rowSlots[rows] | pad 8 | f64 nums[rows × width]
//         | u8 tags[rows × width] | text
//
// Why a file can be trusted: it is written to a temporary name and renamed, so a reader sees a whole file or the
// previous one; the header holds a SHA-256 of itself and the body, so a file damaged on disk (or torn by a power loss) is ignored;
// and the header's generation token must be the one the caller read from the store, so a file saved before a later
// commit (a crash after the save, another worker's run, a reset) is ignored and removed.
//
// The journal (`<same name>.state-journal`) holds the commits made since the save, a line each, appended after the
// store committed: "<SHA-256 of the JSON, base64url> <JSON of the SavedChange>". It extends the file only along an
// unbroken chain: the first line from the file's token, each next one from the token the line before moved to, every
// checksum good, and the chain must reach the token the caller read. A torn line, a lost append, a stale journal (one
// left by an older save) or a commit by anyone else breaks it, and then the file is as stale as without a journal.
import { createHash } from 'node:crypto';
import { appendFile, chmod, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  SavedChange,
  SavedRows,
  SavedStateEntry,
  StateCacheArchive,
} from '../engine/model-sync/state/state-cache-archive.ts';
import { ensurePrivateDirectory, privateFileMode } from './private-files.ts';

const magic = Buffer.from('FERRYSC1', 'latin1');
/** The file format; a file of another is ignored. */
const formatVersion = 1;

/** A memo value's type tag. */
const Tag = { undefined: 0, null: 1, false: 2, true: 3, number: 4, string: 5 } as const;

interface Header {
  format: number;
  syncId: string;
  generation: string;
  complete: boolean;
  slots: number;
  rows: number;
  width: number;
  layout: string | null;
  /** How the text is encoded: latin1 (every character below 256) or utf16le. */
  text: 'latin1' | 'utf16le';
  /** SHA-256 of the header (with this field empty) and the body, base64url. */
  checksum: string;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The journal beside a state-cache file (by its name or path). */
const journalNameOf = (cacheFile: string) => cacheFile.replace(/\.state-cache$/, '.state-journal');

const align8 = (offset: number) => (offset + 7) & ~7;
/** SHA-256 of the header (less its checksum) and the body: a flipped bit in either is caught. */
const digest = (header: Header, body: Uint8Array) =>
  createHash('sha256')
    .update(JSON.stringify({ ...header, checksum: '' }))
    .update(body)
    .digest('base64url');

/** The entry as a file. A large entry takes tens of milliseconds a step, and a background save runs beside the next
 * runs and the requests: a turn of the event loop between the steps lets them through. */
async function encode(entry: SavedStateEntry, nextTurn: () => Promise<void>): Promise<[Buffer, Buffer]> {
  const rows = entry.rows;
  const width = rows?.values[0]?.length ?? 0;
  const rowCount = rows?.slots.length ?? 0;
  const parts: string[] = [];
  let length = 0;
  const slotEnds = new Uint32Array(2 * entry.keys.length);
  for (let index = 0; index < entry.keys.length; index += 1) {
    parts.push(entry.keys[index]!, entry.kept[index]!);
    length += entry.keys[index]!.length;
    slotEnds[2 * index] = length;
    length += entry.kept[index]!.length;
    slotEnds[2 * index + 1] = length;
  }
  await nextTurn();
  const rowSlots = new Uint32Array(rowCount);
  const nums = new Float64Array(rowCount * width);
  const tags = new Uint8Array(rowCount * width);
  for (let row = 0; row < rowCount; row += 1) {
    rowSlots[row] = rows!.slots[row]!;
    const values = rows!.values[row]!;
    for (let column = 0; column < width; column += 1) {
      const at = row * width + column;
      const value = values[column];
      if (typeof value === 'string') {
        parts.push(value);
        length += value.length;
        tags[at] = Tag.string;
        nums[at] = length;
      } else if (typeof value === 'number') {
        tags[at] = Tag.number;
        nums[at] = value;
      } else if (typeof value === 'boolean') tags[at] = value ? Tag.true : Tag.false;
      else if (value === null) tags[at] = Tag.null;
      else if (value === undefined) tags[at] = Tag.undefined;
      else throw new Error(`a state cache row value of type ${typeof value} cannot be saved`);
    }
  }
  if (length > 0xffff_ffff) throw new Error('the state cache entry is too large to save');
  await nextTurn();
  const text = parts.join('');
  // latin1 keeps one byte a character but loses anything above 255; UTF-16 keeps every string exactly.
  // (V8 answers the test at once for a text it holds one byte a character, the usual case.)
  const encoding = /[^\u0000-\u00ff]/.test(text) ? 'utf16le' : 'latin1';
  const numsAt = align8(slotEnds.byteLength + rowSlots.byteLength);
  const tagsAt = numsAt + nums.byteLength;
  // The text is encoded into the body where it goes: no copy of it (tens of megabytes for a large entry) to collect.
  const body = Buffer.alloc(tagsAt + tags.byteLength + (encoding === 'latin1' ? text.length : 2 * text.length));
  body.write(text, tagsAt + tags.byteLength, encoding);
  await nextTurn();
  body.set(new Uint8Array(slotEnds.buffer), 0);
  body.set(new Uint8Array(rowSlots.buffer), slotEnds.byteLength);
  body.set(new Uint8Array(nums.buffer), numsAt);
  body.set(tags, tagsAt);
  const header: Header = {
    format: formatVersion,
    syncId: entry.syncId,
    generation: entry.generation,
    complete: entry.complete,
    slots: entry.keys.length,
    rows: rowCount,
    width,
    layout: rows?.layout ?? null,
    text: encoding,
    checksum: '',
  };
  await nextTurn();
  header.checksum = digest(header, body);
  await nextTurn();
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Buffer.alloc(align8(magic.length + 4 + headerBytes.length));
  magic.copy(start, 0);
  start.writeUInt32LE(headerBytes.length, magic.length);
  headerBytes.copy(start, magic.length + 4);
  // Written one after the other, not joined into one more buffer of the body's size.
  return [start, body];
}

/** The file's header, when it is a file of this format; undefined for anything else. */
function readHeader(file: Buffer): { header: Header; bodyAt: number } | undefined {
  if (file.length < magic.length + 4 || !file.subarray(0, magic.length).equals(magic)) return undefined;
  const headerLength = file.readUInt32LE(magic.length);
  if (magic.length + 4 + headerLength > file.length) return undefined;
  try {
    const header = JSON.parse(file.toString('utf8', magic.length + 4, magic.length + 4 + headerLength)) as Header;
    if (header.format !== formatVersion) return undefined;
    return { header, bodyAt: align8(magic.length + 4 + headerLength) };
  } catch {
    return undefined;
  }
}

function decode(header: Header, body: Buffer): SavedStateEntry | undefined {
  const { slots, rows: rowCount, width } = header;
  const numsAt = align8(4 * (2 * slots + rowCount));
  const tagsAt = numsAt + 8 * rowCount * width;
  const textAt = tagsAt + rowCount * width;
  if (textAt > body.length) return undefined;
  // Copied out so that the typed arrays are aligned whatever the buffer's offset in its pool.
  const slotEnds = new Uint32Array(body.buffer.slice(body.byteOffset, body.byteOffset + 8 * slots));
  const rowSlots = new Uint32Array(
    body.buffer.slice(body.byteOffset + 8 * slots, body.byteOffset + 8 * slots + 4 * rowCount),
  );
  const nums = new Float64Array(body.buffer.slice(body.byteOffset + numsAt, body.byteOffset + tagsAt));
  const tags = body.subarray(tagsAt, textAt);
  const text = body.toString(header.text, textAt);
  const keys = new Array<string>(slots);
  const kept = new Array<string>(slots);
  let at = 0;
  for (let index = 0; index < slots; index += 1) {
    const keyEnd = slotEnds[2 * index]!;
    const keptEnd = slotEnds[2 * index + 1]!;
    keys[index] = text.slice(at, keyEnd);
    kept[index] = text.slice(keyEnd, keptEnd);
    at = keptEnd;
  }
  const entry: SavedStateEntry = {
    syncId: header.syncId,
    generation: header.generation,
    complete: header.complete,
    keys,
    kept,
  };
  if (header.layout === null) return entry;
  const rows: SavedRows = { layout: header.layout, slots: new Array(rowCount), values: new Array(rowCount) };
  for (let row = 0; row < rowCount; row += 1) {
    const slot = rowSlots[row]!;
    if (slot >= slots) return undefined;
    rows.slots[row] = slot;
    const values = new Array<unknown>(width);
    for (let column = 0; column < width; column += 1) {
      const index = row * width + column;
      const tag = tags[index];
      if (tag === Tag.string) {
        const end = nums[index]!;
        values[column] = text.slice(at, end);
        at = end;
      } else if (tag === Tag.number) values[column] = nums[index];
      else if (tag === Tag.true) values[column] = true;
      else if (tag === Tag.false) values[column] = false;
      else if (tag === Tag.null) values[column] = null;
      else values[column] = undefined;
    }
    rows.values[row] = values;
  }
  return { ...entry, rows };
}

const journalLine = (change: SavedChange): string => {
  const json = JSON.stringify(change);
  return `${createHash('sha256').update(json).digest('base64url')} ${json}\n`;
};

/** The journal's commits from `from` until the one that reaches `to`, in order; undefined when its chain does not get
 * there (no journal, a torn or damaged line, a gap, a commit not journaled). */
async function journaledChanges(path: string, from: string, to: string): Promise<SavedChange[] | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const changes: SavedChange[] = [];
  let at = from;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    if (end < 0) return undefined;
    const line = text.slice(start, end);
    start = end + 1;
    const space = line.indexOf(' ');
    const json = line.slice(space + 1);
    if (space < 0 || createHash('sha256').update(json).digest('base64url') !== line.slice(0, space)) return undefined;
    const change = JSON.parse(json) as SavedChange;
    if (change.from !== at) return undefined;
    changes.push(change);
    at = change.to;
    if (at === to) return changes;
  }
  return undefined;
}

/** A header is read whole from the file's first bytes; a longer one (a sync id of kilobytes) is read in full. */
const headerProbeBytes = 4096;

/** The sync id in a file's header, read from its first bytes; undefined for a file that is not a readable one. */
async function savedSyncIdOf(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const probe = Buffer.alloc(headerProbeBytes);
    const { bytesRead } = await handle.read(probe, 0, headerProbeBytes, 0);
    const start = probe.subarray(0, bytesRead);
    const found = readHeader(start) ?? (bytesRead === headerProbeBytes ? readHeader(await readFile(path)) : undefined);
    return typeof found?.header.syncId === 'string' ? found.header.syncId : undefined;
  } finally {
    await handle.close();
  }
}

export function createStateCacheFiles(directory: string): StateCacheArchive {
  // A sync id is the user's text as far as this file knows: its file is named by a digest of it, never by it.
  const fileOf = (syncId: string) =>
    join(directory, `${createHash('sha256').update(syncId).digest('hex').slice(0, 32)}.state-cache`);
  const journalOf = (syncId: string) => journalNameOf(fileOf(syncId));
  return {
    async read(syncId, generation) {
      const path = fileOf(syncId);
      let file: Buffer;
      try {
        file = await readFile(path);
      } catch {
        return undefined;
      }
      const found = readHeader(file);
      // Saved at that token, or before it with the commits since journaled.
      const changes =
        found === undefined || found.header.syncId !== syncId || found.header.generation === generation
          ? undefined
          : await journaledChanges(journalOf(syncId), found.header.generation, generation).catch(() => undefined);
      const usable =
        found !== undefined &&
        found.header.syncId === syncId &&
        (found.header.generation === generation || changes !== undefined) &&
        digest(found.header, file.subarray(found.bodyAt)) === found.header.checksum;
      let entry: SavedStateEntry | undefined;
      // The checksum and the decode each take tens of milliseconds for a large entry: a turn of the event loop between
      // them lets the requests a starting server receives meanwhile through (the worker restores at its start).
      if (usable) await nextTurn();
      try {
        entry = usable ? decode(found.header, file.subarray(found.bodyAt)) : undefined;
      } catch {
        // A header that passed the checksum but not the decoder (written by a broken build): as good as damaged.
        entry = undefined;
      }
      // A stale or damaged file can never be used again (tokens are never reused): it goes, with its journal.
      if (!entry) {
        await rm(path, { force: true });
        await rm(journalOf(syncId), { force: true });
        return undefined;
      }
      return changes ? { ...entry, changes } : entry;
    },
    async write(entries, { pause = nextTurn } = {}) {
      if (entries.length === 0) return;
      ensurePrivateDirectory(directory);
      for (const entry of entries) {
        const path = fileOf(entry.syncId);
        const temporary = `${path}.${process.pid}.tmp`;
        try {
          const parts = await encode(entry, pause);
          const handle = await open(temporary, 'w', privateFileMode);
          try {
            const { bytesWritten } = await handle.writev(parts);
            // A short write would leave a torn file (which a read rejects by its checksum): never renamed into place.
            if (bytesWritten !== parts[0].length + parts[1].length)
              throw new Error('the state cache file was cut short');
          } finally {
            await handle.close();
          }
          await chmod(temporary, privateFileMode);
          await rename(temporary, path);
        } finally {
          await rm(temporary, { force: true });
        }
        // The journal extended the file replaced; left behind by a crash here, its first line's token would not be
        // this file's, and it would be ignored.
        await rm(journalOf(entry.syncId), { force: true });
      }
    },
    async append(syncId, changes) {
      await appendFile(journalOf(syncId), changes.map(journalLine).join(''), { mode: privateFileMode });
    },
    async discard(syncId) {
      await rm(fileOf(syncId), { force: true });
      await rm(journalOf(syncId), { force: true });
    },
    async savedSyncIds() {
      const names = await readdir(directory).catch(() => [] as string[]);
      const journals = new Set(names.filter((name) => name.endsWith('.state-journal')));
      const ids: Array<{ syncId: string; changedMs: number }> = [];
      for (const name of names) {
        if (!name.endsWith('.state-cache')) continue;
        journals.delete(journalNameOf(name));
        const syncId = await savedSyncIdOf(join(directory, name));
        // A file whose header cannot be read (damaged) would never be asked for by name: it goes.
        if (syncId === undefined) {
          await rm(join(directory, name), { force: true });
          continue;
        }
        // When it last changed: its file's write, or its journal's last append.
        const changedAt = (file: string) =>
          stat(join(directory, file)).then(
            (found) => found.mtimeMs,
            () => 0,
          );
        ids.push({ syncId, changedMs: Math.max(await changedAt(name), await changedAt(journalNameOf(name))) });
      }
      // A journal whose file is gone extends nothing.
      for (const orphan of journals) await rm(join(directory, orphan), { force: true });
      return ids.sort((one, other) => other.changedMs - one.changedMs).map(({ syncId }) => syncId);
    },
  };
}
