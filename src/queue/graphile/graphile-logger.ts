// graphile-worker logs through its own Logger; this forwards it to Ferry's structured logger. Its per-job success
// lines are debug here: the engine logs what matters about a run.
import graphileWorker from 'graphile-worker';
import type { Logger } from 'graphile-worker';
import type { RunLogger } from '../../domain/run-context.ts';

export function graphileLogger(log: RunLogger): Logger {
  return new graphileWorker.Logger((scope) => (level, message, meta) => {
    const fields = { scope, ...(meta ?? {}) } as Record<string, unknown>;
    if (level === 'error') log.error(fields, `graphile-worker: ${message}`);
    else if (level === 'warning') log.warn(fields, `graphile-worker: ${message}`);
    else if (level === 'info' && !('success' in fields)) log.info(fields, `graphile-worker: ${message}`);
    else log.debug(fields, `graphile-worker: ${message}`);
  });
}
