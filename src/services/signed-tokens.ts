// Signed, expiring tokens for links that work without an API key (connect cards, log files). HMAC-SHA256 over
// the payload with a key derived from the installation's secret key, so links survive restarts and every process
// of a scaled-out installation accepts them.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenSigner {
  sign(payload: Record<string, unknown>, ttlMs: number, now?: number): string;
  /** The payload, or undefined when the token is forged, malformed or expired. */
  verify<T extends Record<string, unknown>>(token: string, now?: number): T | undefined;
}

export function createTokenSigner(secretKey: Buffer, purpose: string): TokenSigner {
  const key = createHash('sha256').update(secretKey).update(`ferry-signed-token:${purpose}`).digest();
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('base64url');
  return {
    sign(payload, ttlMs, now = Date.now()) {
      const body = Buffer.from(JSON.stringify({ ...payload, exp: now + ttlMs })).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    verify<T extends Record<string, unknown>>(token: string, now = Date.now()): T | undefined {
      const [body, signature] = token.split('.');
      if (!body || !signature) return undefined;
      const expected = Buffer.from(mac(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
        return typeof payload.exp === 'number' && payload.exp > now ? payload : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
