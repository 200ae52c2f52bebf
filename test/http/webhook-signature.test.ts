import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signWebhookBody, verifyWebhookSignature } from '../../src/http/webhook-signature.ts';

const now = Date.parse('2025-06-01T00:00:00Z');

test('signature is HMAC-SHA256 over "<timestamp>.<body>" in hex', () => {
  const headers = signWebhookBody('s', '{"a":1}', now);
  const timestamp = String(now / 1000);
  assert.equal(headers['x-ferry-timestamp'], timestamp);
  assert.equal(
    headers['x-ferry-signature'],
    `sha256=${createHmac('sha256', 's').update(`${timestamp}.{"a":1}`).digest('hex')}`,
  );
});

test('verify accepts the right secret and refuses tampering, replays and garbage', () => {
  const body = '{"records":[]}';
  const headers = signWebhookBody('secret', body, now);
  assert.deepEqual(verifyWebhookSignature('secret', body, headers, { nowMs: now + 1000 }), { ok: true });
  assert.deepEqual(verifyWebhookSignature('other', body, headers, { nowMs: now }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifyWebhookSignature('secret', `${body} `, headers, { nowMs: now }), {
    ok: false,
    reason: 'mismatch',
  });
  assert.deepEqual(verifyWebhookSignature('secret', body, headers, { nowMs: now + 301_000 }), {
    ok: false,
    reason: 'expired',
  });
  assert.deepEqual(verifyWebhookSignature('secret', body, {}, { nowMs: now }), { ok: false, reason: 'missing' });
  assert.deepEqual(
    verifyWebhookSignature('secret', body, { ...headers, 'x-ferry-signature': 'md5=abc' }, { nowMs: now }),
    { ok: false, reason: 'malformed' },
  );
  const upper = {
    'X-Ferry-Signature': `sha256=${'0'.repeat(64)}, ${headers['x-ferry-signature']}`,
    'X-Ferry-Timestamp': headers['x-ferry-timestamp'],
  };
  assert.deepEqual(verifyWebhookSignature('secret', body, upper, { nowMs: now }), { ok: true });
});
