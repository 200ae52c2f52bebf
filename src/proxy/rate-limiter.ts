// Token buckets keyed by connection and by organization. A bucket holds `limitPerMinute` tokens and
// refills continuously, so a burst up to the limit is allowed and the long-run rate is the limit.
// State is per process: with N API processes the effective limit is N×; a shared store (Redis,
// PostgreSQL) can implement the same interface when that matters.

interface RateLimitDecision {
  allowed: boolean;
  /** Milliseconds until a token is available; 0 when allowed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /** Takes one token from every bucket, or from none when any is empty. */
  take(buckets: { key: string; limitPerMinute: number }[]): RateLimitDecision;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const minuteMs = 60_000;
// Buckets idle this long are full again and can be forgotten; bounds memory to active keys.
const idleEvictionMs = 2 * minuteMs;

export function createTokenBucketRateLimiter(now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  function refill(key: string, limit: number, at: number): Bucket {
    const bucket = buckets.get(key) ?? { tokens: limit, updatedAt: at };
    const elapsed = Math.max(0, at - bucket.updatedAt);
    bucket.tokens = Math.min(limit, bucket.tokens + (elapsed * limit) / minuteMs);
    bucket.updatedAt = at;
    buckets.set(key, bucket);
    return bucket;
  }

  return {
    take(requested) {
      const at = now();
      if (at - lastSweep > idleEvictionMs) {
        for (const [key, bucket] of buckets) if (at - bucket.updatedAt > idleEvictionMs) buckets.delete(key);
        lastSweep = at;
      }
      let retryAfterMs = 0;
      const current = requested.map(({ key, limitPerMinute }) => {
        const bucket = refill(key, limitPerMinute, at);
        if (bucket.tokens < 1)
          retryAfterMs = Math.max(retryAfterMs, Math.ceil(((1 - bucket.tokens) * minuteMs) / limitPerMinute));
        return bucket;
      });
      if (retryAfterMs > 0) return { allowed: false, retryAfterMs };
      for (const bucket of current) bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    },
  };
}
