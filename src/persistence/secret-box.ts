// Secrets at rest: AES-256-GCM with a random 96-bit nonce per value (NIST SP 800-38D), sealed as
// `v1.<nonce>.<tag>.<ciphertext>` in base64url so a later key scheme can be told apart.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDirectory, privateFileMode, type Warn } from './private-files.ts';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** Short fingerprint of the key, stored with the data so a wrong key is caught at start, not at first use. */
  fingerprint: string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
  return {
    fingerprint: createHash('sha256').update(key).digest('hex').slice(0, 16),
    seal(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        'v1',
        nonce.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ciphertext.toString('base64url'),
      ].join('.');
    },
    open(sealed) {
      const [version, nonce, tag, ciphertext] = sealed.split('.');
      if (version !== 'v1' || !nonce || !tag || ciphertext === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** Accepts 64 hex characters or base64 of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32) return decoded;
  throw new Error('FERRY_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
}

/** The configured key, or the key file in the data dir, created (mode 0600) on first use. */
export function loadSecretKey(
  secretKey: string | undefined,
  dataDir: string,
  warn?: Warn,
): { key: Buffer; source: string } {
  if (secretKey) return { key: parseSecretKey(secretKey), source: 'FERRY_SECRET_KEY' };
  const path = join(dataDir, 'secret.key');
  if (!existsSync(path)) {
    // Without SQLite (DATABASE_URL set) this may be the first thing Ferry writes in the data dir.
    ensurePrivateDirectory(dataDir, warn);
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { mode: privateFileMode, flag: 'wx' });
    chmodSync(path, privateFileMode);
  }
  return { key: parseSecretKey(readFileSync(path, 'utf8')), source: path };
}
