// The context every long piece of work receives: a cancel signal, a logger and a heartbeat.
// Modelled on Temporal's activity context: the worker aborts `signal` on cancel, shutdown or lease loss, and
// `heartbeat` reports progress (the queue hands beats to its onHeartbeat listener). Liveness is not the beat: the
// worker renews the job's lease on its own timer (docs/queue.md).
// Pure types and a silent logger, with no IO, so that connectors, the engine and the queue all depend on it.

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
