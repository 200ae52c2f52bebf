// A place in the binary log, as the change-capture position string the engine stores. Always a file and the offset
// just past a transaction's commit (where a replica would resume on this server), plus the GTID state after that
// transaction when the server has GTIDs: MariaDB's per-domain `domain-server-sequence` list (gtid_binlog_pos form),
// or MySQL's executed GTID set (gtid_executed form). Resuming prefers the GTIDs (valid on any server of the
// replication topology); the file and offset measure lag and serve servers without GTIDs.
import { ConnectorError } from '../connector-error.ts';

export interface MysqlBinlogPosition {
  file: string;
  /** Offset just past the last event of a transaction (or a standalone statement) in `file`. */
  offset: number;
  /** The GTID state that includes every transaction up to `offset`; absent when the server has none. */
  gtids?: string;
}

export function encodeBinlogPosition(position: MysqlBinlogPosition): string {
  // Spelled out so the text has one form whatever else the object holds.
  const { file, offset, gtids } = position;
  return JSON.stringify(gtids === undefined ? { file, offset } : { file, offset, gtids });
}

export function decodeBinlogPosition(text: string): MysqlBinlogPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const candidate = parsed as Partial<MysqlBinlogPosition> | undefined;
  if (
    !candidate ||
    typeof candidate.file !== 'string' ||
    candidate.file === '' ||
    !Number.isSafeInteger(candidate.offset) ||
    (candidate.offset ?? -1) < 0 ||
    (candidate.gtids !== undefined && typeof candidate.gtids !== 'string')
  ) {
    throw new ConnectorError(`Not a MySQL binlog position: ${text}`, { code: 'invalid_configuration' });
  }
  const position: MysqlBinlogPosition = { file: candidate.file, offset: candidate.offset as number };
  if (candidate.gtids !== undefined) position.gtids = candidate.gtids;
  return position;
}

/** Binlog files are `<base>.<sequence>`: ordered by the sequence number (it may outgrow its zero padding). */
function fileSequence(file: string): number {
  const match = /\.(\d+)$/.exec(file);
  return match ? Number(match[1]) : Number.NaN;
}

/** Negative, zero or positive as `a` is before, at or after `b` (both on the same server's log). */
export function compareBinlogPlaces(a: { file: string; offset: number }, b: { file: string; offset: number }) {
  if (a.file !== b.file) {
    const difference = fileSequence(a.file) - fileSequence(b.file);
    return Number.isNaN(difference) ? a.file.localeCompare(b.file) : difference;
  }
  return a.offset - b.offset;
}

/**
 * Bytes of log from `place` to the end, given SHOW BINARY LOGS (every file's size, the last one growing);
 * undefined when `place`'s file is no longer listed (purged, or another server's log).
 */
export function bytesAfter(
  place: { file: string; offset: number },
  files: { name: string; size: number }[],
): number | undefined {
  const index = files.findIndex((file) => file.name === place.file);
  if (index < 0) return undefined;
  let bytes = Math.max(0, files[index]!.size - place.offset);
  for (const file of files.slice(index + 1)) bytes += file.size;
  return bytes;
}
