// What Ferry writes under its data dir (the SQLite database and its -wal/-shm files, the key file, record logs) holds
// sealed secrets, and in the database's case the customers' metadata in plain text, so it is readable by its owner
// only: directories 0700, files 0600. Modes are set with chmod after creating, because a create mode is filtered
// by the process umask. A directory that already exists is the user's: a looser mode is warned about, never changed.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

export const privateDirectoryMode = 0o700;
export const privateFileMode = 0o600;

export type Warn = (message: string) => void;

/** Warnings go to stderr when the caller has no logger (the CLI's one-shot commands). */
const warnOnStderr: Warn = (message) => process.stderr.write(`warning: ${message}\n`);

/** Creates `path` (and missing parents) 0700, or warns when an existing one is open to group or others. */
export function ensurePrivateDirectory(path: string, warn: Warn = warnOnStderr): void {
  if (!existsSync(path)) {
    mkdirSync(path, { recursive: true, mode: privateDirectoryMode });
    chmodSync(path, privateDirectoryMode);
    return;
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  warn(
    `data directory ${path} has mode ${mode.toString(8).padStart(4, '0')}: other users can list it. ` +
      `Ferry keeps its own files 0600; run chmod 700 on the directory to hide their names too.`,
  );
}

/** Creates an empty file 0600 when it is missing, so that whatever opens it next inherits no looser mode. */
export function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  closeSync(openSync(path, 'a', privateFileMode));
  chmodSync(path, privateFileMode);
}

/** Narrows Ferry's own files, when they exist, to 0600 (files written by an older Ferry were 0644). */
export function tightenPrivateFiles(paths: readonly string[]): void {
  for (const path of paths) {
    if (!existsSync(path)) continue;
    if ((statSync(path).mode & 0o777) !== privateFileMode) chmodSync(path, privateFileMode);
  }
}
