// HMAC-SHA256 signatures for outbound webhooks (format in docs/webhooks.md). The signed message is
// `<timestamp>.<body>`: binding the timestamp into the MAC lets receivers refuse replays older
// than a tolerance without trusting an unsigned header (the Stripe/Standard Webhooks scheme).
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
