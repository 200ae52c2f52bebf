// Tables of the files connector: one file `<schema>.<ext>` per table in the configured directory,
// plus an optional sidecar `.ferry/<schema>.<ext>.json` that Ferry writes for tables it creates or
// writes to. The sidecar declares each field's kind (what the format cannot say: CSV has no types,
// JSON has no decimals, Ferry's Parquet decimals are text) and the primary key; without one, kinds
// are inferred (file-kind-inference.ts) and the primary key is `id` when such a field exists.
//
// Every change is atomic. An insert appends in place (Parquet: new row groups and a new footer, into a file of the
// schema Ferry writes), journalled so that an interrupted append is undone before the table is next used
// (append-journal.ts): O(batch) I/O, the old rows neither copied nor read. Every other change writes the new content
// to `.ferry/tmp-*` in one streaming pass and renames it over the table: O(table) I/O per batch with memory bounded by
// one chunk. That suits modest tables; large loads should insert. Writers in one process are serialised per table;
// several processes writing one directory are not supported.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectorError, throwIfAborted } from '../connector-error.ts';
import type { Row } from '../records.ts';
import { appendDurably, hasInterruptedAppend, restoreInterruptedAppend } from './append-journal.ts';
import type { FileColumn, FileFormat } from './file-format.ts';
import { isFileKind, type FileKind } from './file-kinds.ts';
import { classifyFileError } from './files-errors.ts';

export interface FileTable {
  schemaId: string;
  path: string;
  /** Every field: the sidecar's in its order, then columns only the file has. */
  columns: FileColumn[];
  /** The ids the file itself holds (a JSON Lines field may be declared before any row has it). */
  fileColumnIds: Set<string>;
  primaryKey: string[];
  declared: boolean;
}

interface Sidecar {
  version: 1;
  fields: { id: string; kind: FileKind }[];
  primary_key: string[];
}

export interface FilesTableStore {
  readonly format: FileFormat;
  list(): Promise<string[]>;
  describe(schemaId: string, signal: AbortSignal): Promise<FileTable | undefined>;
  /** Like describe, but a missing table is an object_missing error. */
  require(schemaId: string, signal: AbortSignal): Promise<FileTable>;
  readChunks(
    table: FileTable,
    options: { signal: AbortSignal; chunkRows: number; only?: string[] },
  ): AsyncGenerator<Row[]>;
  create(
    schemaId: string,
    columns: FileColumn[],
    primaryKey: string[],
    ifNotExists: boolean,
    signal: AbortSignal,
  ): Promise<void>;
  addColumns(schemaId: string, columns: FileColumn[], signal: AbortSignal): Promise<void>;
  /** Appends rows already normalised to the table's kinds. */
  insert(schemaId: string, rows: Row[], signal: AbortSignal): Promise<void>;
  /**
   * Appends `rows` (normalised, one per key) when no row of the table has one of their `keyField` values and the
   * format can tell so cheaply (holdsAnyKey); false, and nothing written, otherwise.
   */
  insertIfAbsent(schemaId: string, keyField: string, rows: Row[], signal: AbortSignal): Promise<boolean>;
  /** Rewrites the table keeping the rows `keep` accepts, then appending `extra`. */
  rewrite(schemaId: string, keep: (row: Row) => boolean, extra: Row[], signal: AbortSignal): Promise<void>;
  drop(schemaId: string, ifExists: boolean): Promise<void>;
}

const plainName = /^[^/\\\0]+$/;

/** A schema id must be a plain file name: no separators and no leading dot (no `..`, no sidecars). */
function isPlainSchemaId(schemaId: string): boolean {
  return plainName.test(schemaId) && !schemaId.startsWith('.');
}

function missing(schemaId: string): ConnectorError {
  return new ConnectorError(`Table ${schemaId} does not exist`, { code: 'object_missing' });
}

export function createFilesTableStore(directory: string, format: FileFormat): FilesTableStore {
  const extension = `.${format.extension}`;
  const sidecarDirectory = join(directory, '.ferry');
  const locks = new Map<string, Promise<unknown>>();
  const dataPath = (schemaId: string) => {
    if (!isPlainSchemaId(schemaId)) {
      throw new ConnectorError(`Schema id ${JSON.stringify(schemaId)} must be a plain file name`, {
        code: 'invalid_query',
      });
    }
    return join(directory, `${schemaId}${extension}`);
  };
  const sidecarPath = (schemaId: string) => join(sidecarDirectory, `${schemaId}${extension}.json`);
  const journalPath = (schemaId: string) => join(sidecarDirectory, `${schemaId}${extension}.append.json`);

  /** Undoes an append a crash (or a failed restore) left half done; the caller holds the table's lock. */
  async function restoreAppend(schemaId: string): Promise<void> {
    const journal = journalPath(schemaId);
    if (!(await hasInterruptedAppend(journal))) return;
    if (await exists(dataPath(schemaId))) await restoreInterruptedAppend(dataPath(schemaId), journal);
    else await rm(journal, { force: true });
  }

  async function exists(path: string): Promise<boolean> {
    try {
      return (await stat(path)).isFile();
    } catch (error: unknown) {
      if ((error as { code?: string }).code === 'ENOENT') return false;
      throw classifyFileError(error, `checking ${path}`);
    }
  }

  async function readSidecar(schemaId: string): Promise<Sidecar | undefined> {
    let text: string;
    try {
      text = await readFile(sidecarPath(schemaId), 'utf8');
    } catch (error: unknown) {
      if ((error as { code?: string }).code === 'ENOENT') return undefined;
      throw classifyFileError(error, `reading the field declarations of ${schemaId}`);
    }
    const parsed = JSON.parse(text) as Partial<Sidecar>;
    const fields = (parsed.fields ?? []).filter((field) => typeof field.id === 'string' && isFileKind(field.kind));
    return { version: 1, fields, primary_key: Array.isArray(parsed.primary_key) ? parsed.primary_key : [] };
  }

  /** Writes a file under `.ferry/` and renames it to `target`: readers see the old or the new file, never half. */
  async function replace(target: string, produce: (temporary: string) => Promise<void>): Promise<void> {
    await mkdir(sidecarDirectory, { recursive: true });
    const temporary = join(sidecarDirectory, `tmp-${randomUUID()}${extension}`);
    try {
      await produce(temporary);
      await rename(temporary, target);
    } catch (error: unknown) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async function writeSidecar(schemaId: string, columns: FileColumn[], primaryKey: string[]): Promise<void> {
    const sidecar: Sidecar = {
      version: 1,
      fields: columns.map(({ id, kind }) => ({ id, kind })),
      primary_key: primaryKey,
    };
    await replace(sidecarPath(schemaId), (temporary) => writeFile(temporary, `${JSON.stringify(sidecar, null, 2)}\n`));
  }

  /** Runs changes to one table one after another (a rename racing a copy would lose a batch). */
  async function locked<T>(schemaId: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(schemaId) ?? Promise.resolve();
    const restoredWork = async () => {
      await restoreAppend(schemaId);
      return work();
    };
    const next = previous.then(restoredWork, restoredWork);
    const settled = next.catch(() => undefined);
    locks.set(schemaId, settled);
    try {
      return await next;
    } catch (error: unknown) {
      throw classifyFileError(error, `writing ${schemaId}`);
    } finally {
      if (locks.get(schemaId) === settled) locks.delete(schemaId);
    }
  }

  /** The table as its file and sidecar say (no restore: inside the lock, the restore has run). */
  async function describeTable(schemaId: string, signal: AbortSignal): Promise<FileTable | undefined> {
    if (!isPlainSchemaId(schemaId)) return undefined;
    const path = dataPath(schemaId);
    if (!(await exists(path))) return undefined;
    try {
      const inspected = await format.inspect(path, signal);
      const sidecar = await readSidecar(schemaId);
      const fromFile = new Map(inspected.map((column) => [column.id, column]));
      const declared = (sidecar?.fields ?? []).map((field) => ({
        id: field.id,
        kind: field.kind,
        nullable: fromFile.get(field.id)?.nullable ?? true,
      }));
      const declaredIds = new Set(declared.map((column) => column.id));
      const columns = [...declared, ...inspected.filter((column) => !declaredIds.has(column.id))];
      const primaryKey = sidecar ? sidecar.primary_key : columns.some((column) => column.id === 'id') ? ['id'] : [];
      return {
        schemaId,
        path,
        columns,
        fileColumnIds: new Set(fromFile.keys()),
        primaryKey,
        declared: sidecar !== undefined,
      };
    } catch (error: unknown) {
      throw classifyFileError(error, `reading ${path}`);
    }
  }

  async function requireTable(schemaId: string, signal: AbortSignal): Promise<FileTable> {
    const table = await describeTable(schemaId, signal);
    if (!table) throw missing(schemaId);
    return table;
  }

  async function* noRows(): AsyncGenerator<Row[]> {}

  const store: FilesTableStore = {
    format,
    async list() {
      try {
        const entries = await readdir(directory, { withFileTypes: true });
        return entries
          .filter(
            (entry) =>
              (entry.isFile() || entry.isSymbolicLink()) &&
              entry.name.endsWith(extension) &&
              !entry.name.startsWith('.'),
          )
          .map((entry) => entry.name.slice(0, -extension.length))
          .filter((name) => name.length > 0)
          .sort();
      } catch (error: unknown) {
        throw classifyFileError(error, `listing ${directory}`);
      }
    },

    async describe(schemaId, signal) {
      if (!isPlainSchemaId(schemaId)) return undefined;
      // A change in flight is waited for (an append in place is not atomic to readers), and a journal an interrupted
      // append left is undone (under the lock, like any change) before the file is read.
      if (locks.has(schemaId) || (await hasInterruptedAppend(journalPath(schemaId))))
        await locked(schemaId, async () => undefined);
      return describeTable(schemaId, signal);
    },

    async require(schemaId, signal) {
      const table = await store.describe(schemaId, signal);
      if (!table) throw missing(schemaId);
      return table;
    },

    readChunks(table, options) {
      return format.readChunks(table.path, table.columns, options);
    },

    create(schemaId, columns, primaryKey, ifNotExists, signal) {
      return locked(schemaId, async () => {
        const path = dataPath(schemaId);
        if (await exists(path)) {
          if (ifNotExists) return;
          throw new ConnectorError(`Table ${schemaId} already exists`, { code: 'constraint_violation' });
        }
        throwIfAborted(signal);
        await writeSidecar(schemaId, columns, primaryKey);
        await replace(path, (temporary) => format.writeFile(temporary, columns, noRows()));
      });
    },

    addColumns(schemaId, added, signal) {
      return locked(schemaId, async () => {
        const table = await requireTable(schemaId, signal);
        const known = new Set(table.columns.map((column) => column.id));
        const columns = [...table.columns, ...added.filter((column) => !known.has(column.id))];
        if (columns.length === table.columns.length) return;
        // A JSON Lines row simply lacks the new keys; CSV and Parquet files get the new columns (null).
        if (format.extension !== 'jsonl') await rewriteFile(table, columns, () => true, [], signal);
        await writeSidecar(schemaId, columns, table.primaryKey);
      });
    },

    insert(schemaId, rows, signal) {
      return locked(schemaId, async () => appendTo(await requireTable(schemaId, signal), rows, signal));
    },

    insertIfAbsent(schemaId, keyField, rows, signal) {
      return locked(schemaId, async () => {
        const table = await requireTable(schemaId, signal);
        const column = table.columns.find((candidate) => candidate.id === keyField);
        if (!column || !format.holdsAnyKey || !table.fileColumnIds.has(keyField)) return false;
        const keys = rows.map((row) => row[keyField]);
        if ((await format.holdsAnyKey(table.path, column, keys)) !== false) return false;
        await appendTo(table, rows, signal);
        return true;
      });
    },
    rewrite(schemaId, keep, extra, signal) {
      return locked(schemaId, async () => {
        const table = await requireTable(schemaId, signal);
        await rewriteFile(table, table.columns, keep, extra, signal);
        if (!table.declared) await writeSidecar(schemaId, table.columns, table.primaryKey);
      });
    },

    drop(schemaId, ifExists) {
      return locked(schemaId, async () => {
        const path = dataPath(schemaId);
        if (!(await exists(path))) {
          if (ifExists) return;
          throw missing(schemaId);
        }
        await rm(path);
        await rm(sidecarPath(schemaId), { force: true });
        await rm(journalPath(schemaId), { force: true });
      });
    },
  };

  /** Appends rows already normalised to the table's kinds (the caller holds the table's lock). */
  async function appendTo(table: FileTable, rows: Row[], signal: AbortSignal): Promise<void> {
    const appendable =
      format.appendRows &&
      (format.extension === 'jsonl' || table.columns.every((column) => table.fileColumnIds.has(column.id))) &&
      (format.appendable === undefined || (await format.appendable(table.path, table.columns)));
    if (appendable) {
      // CSV rows follow the file's own column order, which a foreign file may not share with the sidecar.
      const inFileOrder = format.extension === 'csv' ? await fileOrder(table, signal) : table.columns;
      await appendDurably(table.path, journalPath(table.schemaId), (beforeChange) =>
        format.appendRows!(table.path, inFileOrder, rows, beforeChange),
      );
    } else {
      await rewriteFile(table, table.columns, () => true, rows, signal);
    }
    if (!table.declared) await writeSidecar(table.schemaId, table.columns, table.primaryKey);
  }

  async function fileOrder(table: FileTable, signal: AbortSignal): Promise<FileColumn[]> {
    const byId = new Map(table.columns.map((column) => [column.id, column]));
    return (await format.inspect(table.path, signal)).map((column) => byId.get(column.id) ?? column);
  }

  async function rewriteFile(
    table: FileTable,
    columns: FileColumn[],
    keep: (row: Row) => boolean,
    extra: Row[],
    signal: AbortSignal,
  ) {
    async function* rows(): AsyncGenerator<Row[]> {
      for await (const chunk of format.readChunks(table.path, table.columns, { signal, chunkRows: 1000 })) {
        const kept = chunk.filter(keep);
        if (kept.length > 0) yield kept;
      }
      if (extra.length > 0) yield extra;
    }
    await replace(table.path, (temporary) => format.writeFile(temporary, columns, rows()));
  }

  return store;
}
