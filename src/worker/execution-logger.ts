// Every log line about an execution names it: which execution, of which sync, in which organization, and the
// schedule that fired it when one did, so that one log search finds a whole run across the task, the engine and
// the queue's retries. The fields are bound once (a pino child), not repeated at each call.
import type { RunLogger } from '../domain/run-context.ts';
import type { SyncKind } from '../metrics/ferry-metrics.ts';

export interface ExecutionLogBindings {
  kind: SyncKind;
  executionId: string;
  syncId: string;
  organizationId: string;
  /** The schedule that fired the execution, when the scheduler started it. */
  scheduleId?: string;
  /** How the execution was started (manual, scheduled, test, …), where the row records it. */
  trigger?: string;
  attempt: number;
}

type ChildCapable = RunLogger & { child?: (bindings: Record<string, unknown>) => RunLogger };

export function executionLogger(log: RunLogger, bindings: ExecutionLogBindings): RunLogger {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(bindings)) if (value !== undefined) fields[name] = value;
  const parent = log as ChildCapable;
  if (typeof parent.child === 'function') return parent.child(fields);
  return {
    debug: (line, message) => log.debug({ ...fields, ...line }, message),
    info: (line, message) => log.info({ ...fields, ...line }, message),
    warn: (line, message) => log.warn({ ...fields, ...line }, message),
    error: (line, message) => log.error({ ...fields, ...line }, message),
  };
}

/**
 * The schedule an execution row names, if its table records one (the scheduler's `schedule_id`); rows written
 * before there was a scheduler have none.
 */
export function scheduleOf(row: object): string | undefined {
  const value = (row as { schedule_id?: unknown }).schedule_id;
  return typeof value === 'string' && value !== '' ? value : undefined;
}
