// The one module that signs what Ferry POSTs to webhooks: event deliveries and model-sync batches alike
// (docs/webhooks.md). Three schemes, all HMAC-SHA256 under the same secret:
// - `Polytomic-Signature`: lowercase hex of the HMAC of the body alone, as Polytomic signs event deliveries, so a
//   receiver written for Polytomic verifies Ferry's unchanged;
// - `X-Ferry-Signature` + `X-Ferry-Timestamp`: the HMAC of `<timestamp>.<body>`; binding the timestamp into the MAC
//   lets receivers refuse replays older than a tolerance without trusting an unsigned header;
// - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
//   `<id>.<timestamp>.<body>`), for receivers using a Standard Webhooks library; the id lets them drop duplicates.
import { createHmac, timingSafeEqual } from 'node:crypto';

const signatureHeader = 'x-ferry-signature';
const timestampHeader = 'x-ferry-timestamp';
/** Receivers refuse signatures older or newer than this by default: 5 minutes, as Stripe does. */
const defaultToleranceSeconds = 300;

function mac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The two headers to send with `body` (the exact bytes that go on the wire). */
export function signWebhookBody(
  secret: string,
  body: string | Buffer,
  nowMs: number = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return { [signatureHeader]: `sha256=${mac(secret, timestamp, body)}`, [timestampHeader]: String(timestamp) };
}

/** Polytomic's event-delivery signature: hex HMAC-SHA256 of the body. */
function polytomicSignature(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Standard Webhooks headers. The key is the secret's UTF-8 bytes (a Standard Webhooks library verifies them with the
 * secret in raw format: `new Webhook(secret, { format: 'raw' })`).
 */
function standardWebhookHeaders(
  secret: string,
  messageId: string,
  body: string | Buffer,
  nowMs: number = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = createHmac('sha256', secret).update(`${messageId}.${timestamp}.`).update(body).digest('base64');
  return { 'webhook-id': messageId, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

/** Every signature header of an event delivery: Polytomic's, the timestamped one, and Standard Webhooks'. */
export function eventDeliveryHeaders(
  secret: string,
  messageId: string,
  body: string | Buffer,
  nowMs: number = Date.now(),
): Record<string, string> {
  return {
    'polytomic-signature': polytomicSignature(secret, body),
    ...signWebhookBody(secret, body, nowMs),
    ...standardWebhookHeaders(secret, messageId, body, nowMs),
  };
}

export type SignatureVerdict = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/**
 * Checks a received body against its headers. Header names are matched case-insensitively. The
 * comparison is constant-time; a signature header may carry several `sha256=` values (comma
 * separated) so a secret can be rotated by signing with both.
 */
export function verifyWebhookSignature(
  secret: string,
  body: string | Buffer,
  headers: Record<string, string | string[] | undefined>,
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): SignatureVerdict {
  const lookup = (name: string) => {
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry.join(',') : entry;
  };
  const signature = lookup(signatureHeader);
  const timestampText = lookup(timestampHeader);
  if (!signature || !timestampText) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampText);
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? defaultToleranceSeconds))
    return { ok: false, reason: 'expired' };
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  const candidates = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('sha256='));
  if (candidates.length === 0) return { ok: false, reason: 'malformed' };
  let matched = false;
  for (const candidate of candidates) {
    const hex = candidate.slice('sha256='.length);
    if (!/^[0-9a-f]{64}$/i.test(hex)) continue;
    // Every candidate is compared (no early exit) so timing does not reveal which one matched.
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) matched = true;
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
}
