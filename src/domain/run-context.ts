// The context every long piece of work receives: a cancel signal, a logger and a heartbeat.
// Modelled on Temporal's activity context: the worker aborts `signal` on cancel or lease loss,
// and `heartbeat` is how the work proves it is alive (the reaper fails runs that stop beating).

/** Structured logger shape; pino's Logger satisfies it, so the process logger can be passed as is. */
export interface RunLogger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

export interface RunContext {
  /** Aborted when the work must stop (cancel, shutdown, lease lost). Every connector call honours it. */
  readonly signal: AbortSignal;
  readonly log: RunLogger;
  /** Records liveness; `progress` is an optional, JSON-serialisable progress note (e.g. rows read). */
  heartbeat(progress?: unknown): void;
}

/** A logger that drops everything: for callers that have nothing to log to. */
export const silentLogger: RunLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
