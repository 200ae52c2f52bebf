// When a delivery attempt is retried, and after how long. Rules as data: 429 and 5xx and network
// errors are retried; other 4xx are the receiver's final word. Backoff is exponential with "full
// jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): a uniform delay in
// [0, min(cap, base·2^attempt)], which spreads retries of many senders best. A Retry-After header
// wins over the computed delay, bounded by the cap so one receiver cannot park a worker for hours.

export interface RetryPolicy {
  /** Total attempts including the first. Default 5. */
  maxAttempts: number;
  /** Default 500 ms. */
  baseDelayMs: number;
  /** Default 30 000 ms. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Milliseconds from a Retry-After header (delta seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** Delay before attempt number `attempt + 1` (attempt counts from 1). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
