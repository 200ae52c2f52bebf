// A RunContext for tests: records log lines and heartbeats, and lets the test abort the run.
import type { RunContext, RunLogger } from '../../src/domain/run-context.ts';

interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string | undefined;
}

export interface MockRunContext extends RunContext {
  readonly lines: LoggedLine[];
  readonly heartbeats: unknown[];
  abort(reason?: unknown): void;
}

export function createMockRunContext(options: { signal?: AbortSignal } = {}): MockRunContext {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
  const lines: LoggedLine[] = [];
  const heartbeats: unknown[] = [];
  const at = (level: LoggedLine['level']) => (fields: Record<string, unknown>, message?: string) => {
    lines.push({ level, fields, message });
  };
  const log: RunLogger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return {
    signal,
    log,
    lines,
    heartbeats,
    heartbeat(progress) {
      heartbeats.push(progress);
    },
    abort(reason) {
      controller.abort(reason ?? new Error('aborted by test'));
    },
  };
}
