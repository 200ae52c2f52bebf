// What `--follow` shows of a running execution: one redrawn line on a terminal (a bar of schemas done for bulk
// syncs, rows, rows/s, elapsed), plain timestamped lines otherwise (logs and CI keep them readable). Pure
// functions of a snapshot, so the rendering is tested without a server.
import { count, objectOf, text } from './api-wire.ts';
import type { CliSyncKind } from './sync-kinds.ts';

const terminalStatuses = ['completed', 'failed', 'canceled', 'interrupted'] as const;

export function isTerminal(status: string): boolean {
  return (terminalStatuses as readonly string[]).includes(status);
}

/** The process exit code for an execution's final status: 0 completed, 2 canceled, 1 anything else. */
export function exitCodeFor(status: string): number {
  if (status === 'completed') return 0;
  if (status === 'canceled') return 2;
  return 1;
}

export interface ExecutionSnapshot {
  status: string;
  /** Bulk: rows written; model sync: model rows read. */
  rows: number;
  /** Model syncs: records the target accepted (insert + update + delete). */
  written?: number;
  /** Bulk syncs only. */
  schemasDone?: number;
  schemasTotal?: number;
  message?: string;
}

const schemaDoneStatuses = ['completed', 'failed', 'canceled'];

/** The API's execution object → what the progress display needs. */
export function snapshotOf(kind: CliSyncKind, value: unknown): ExecutionSnapshot {
  const execution = objectOf(value);
  const status = text(execution.status) || 'unknown';
  if (kind === 'bulk') {
    const schemas = Array.isArray(execution.schemas) ? execution.schemas.map(objectOf) : [];
    const message = text(execution.status_message);
    return {
      status,
      rows: count(execution.record_count),
      schemasDone: schemas.filter((schema) => schemaDoneStatuses.includes(text(schema.status))).length,
      schemasTotal: schemas.length,
      ...(message ? { message } : {}),
    };
  }
  const counts = objectOf(execution.counts);
  const errors = Array.isArray(execution.errors) ? execution.errors.map(text).filter(Boolean) : [];
  return {
    status,
    rows: count(counts.total),
    written: count(counts.insert) + count(counts.update) + count(counts.delete),
    ...(errors.length ? { message: errors[errors.length - 1] } : {}),
  };
}

const numberFormat = new Intl.NumberFormat('en-US');
const formatCount = (value: number) => numberFormat.format(Math.round(value));

function formatElapsed(seconds: number): string {
  const whole = Math.floor(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const mmss = `${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
  return hours > 0 ? `${hours}:${mmss}` : mmss;
}

function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

const spinner = ['|', '/', '-', '\\'];

/** The terminal line (no newline): redrawn in place with \r and erase-line. */
export function progressLine(snapshot: ExecutionSnapshot, rate: number, elapsedSeconds: number, tick: number): string {
  const parts = [`${spinner[tick % spinner.length]} ${snapshot.status.padEnd(9)}`];
  if (snapshot.schemasTotal !== undefined) {
    parts.push(
      `${bar(snapshot.schemasDone ?? 0, snapshot.schemasTotal, 20)} ${snapshot.schemasDone ?? 0}/${snapshot.schemasTotal} schemas`,
    );
  }
  parts.push(`${formatCount(snapshot.rows)} rows`);
  if (snapshot.written !== undefined) parts.push(`${formatCount(snapshot.written)} written`);
  parts.push(`${formatCount(rate)} rows/s`, formatElapsed(elapsedSeconds));
  return parts.join('  ');
}

/** One plain line: key=value fields after a timestamp, for logs and pipes. */
export function plainLine(snapshot: ExecutionSnapshot, rate: number, elapsedSeconds: number, at: Date): string {
  const fields = [at.toISOString(), snapshot.status, `rows=${snapshot.rows}`];
  if (snapshot.written !== undefined) fields.push(`written=${snapshot.written}`);
  fields.push(`rows/s=${Math.round(rate)}`);
  if (snapshot.schemasTotal !== undefined) fields.push(`schemas=${snapshot.schemasDone ?? 0}/${snapshot.schemasTotal}`);
  fields.push(`elapsed=${elapsedSeconds.toFixed(1)}s`);
  return fields.join(' ');
}

/** The last line of a follow: how it ended, rows, time and average rate. */
export function summaryLine(snapshot: ExecutionSnapshot, elapsedSeconds: number): string {
  const average = elapsedSeconds > 0 ? snapshot.rows / elapsedSeconds : snapshot.rows;
  const schemas =
    snapshot.schemasTotal !== undefined ? `, ${snapshot.schemasDone ?? 0}/${snapshot.schemasTotal} schemas` : '';
  const written = snapshot.written !== undefined ? ` (${formatCount(snapshot.written)} written)` : '';
  const message = snapshot.message && snapshot.status !== 'completed' ? `: ${snapshot.message}` : '';
  return `${snapshot.status}: ${formatCount(snapshot.rows)} rows${written}${schemas} in ${elapsedSeconds.toFixed(1)} s (${formatCount(average)} rows/s)${message}`;
}
