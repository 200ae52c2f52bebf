// What happens after a handler throws: a pure function of the error and the attempt, shared by both adapters.
// The backoff is graphile-worker's own, exp(min(attempt, 10)) seconds (2.7 s, 7.4 s, 20 s, 55 s, … capped at
// e^10 s ≈ 6.1 h), so a job behaves the same on either adapter; see docs/queue.md for graphile's floor on
// `nextRetryDelay`.
import type { RetryHints } from './job-queue.ts';

export type RetryDecision =
  | { kind: 'retry'; delayMs: number }
  | { kind: 'fail'; reason: 'not_retryable' | 'attempts_exhausted' };

function backoffDelayMs(attempt: number): number {
  return Math.round(Math.exp(Math.min(Math.max(attempt, 1), 10)) * 1000);
}

/** Reads `retryable` and `nextRetryDelay` from anything thrown; other values count as retryable with the backoff. */
export function retryHints(error: unknown): RetryHints {
  if (typeof error !== 'object' || error === null) return {};
  const { retryable, nextRetryDelay, deferMs } = error as Record<string, unknown>;
  const delay = (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  return {
    retryable: typeof retryable === 'boolean' ? retryable : undefined,
    nextRetryDelay: delay(nextRetryDelay),
    deferMs: delay(deferMs),
  };
}

export function decideRetry(error: unknown, attempt: number, maxAttempts: number): RetryDecision {
  const hints = retryHints(error);
  if (hints.retryable === false) return { kind: 'fail', reason: 'not_retryable' };
  if (attempt >= maxAttempts) return { kind: 'fail', reason: 'attempts_exhausted' };
  return { kind: 'retry', delayMs: hints.nextRetryDelay ?? backoffDelayMs(attempt) };
}

/** The message stored as the job's last error; never empty. */
export function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error) || 'non-error thrown';
}
