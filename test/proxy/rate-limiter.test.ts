import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenBucketRateLimiter } from '../../src/proxy/rate-limiter.ts';

test('a refused take consumes from no bucket', () => {
  let clock = 0;
  const limiter = createTokenBucketRateLimiter(() => clock);
  const both = [
    { key: 'c', limitPerMinute: 10 },
    { key: 'o', limitPerMinute: 1 },
  ];
  assert.equal(limiter.take(both).allowed, true);
  const refused = limiter.take(both);
  assert.deepEqual(refused, { allowed: false, retryAfterMs: 60_000 });
  // The connection bucket kept its 9 tokens: 9 more takes on it alone succeed, the 10th does not.
  for (let index = 0; index < 9; index += 1) assert.equal(limiter.take([both[0]]).allowed, true);
  assert.equal(limiter.take([both[0]]).allowed, false);
  clock += 6_000;
  assert.equal(limiter.take([both[0]]).allowed, true);
});
