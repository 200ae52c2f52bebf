import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createSecretBox, loadSecretKey, parseSecretKey } from '../../src/persistence/secret-box.ts';

test('property: sealing then opening returns the plaintext, and never contains it', () => {
  const box = createSecretBox(randomBytes(32));
  fc.assert(
    fc.property(fc.string({ minLength: 4 }), (plaintext) => {
      const sealed = box.seal(plaintext);
      assert.equal(box.open(sealed), plaintext);
      assert.ok(!sealed.includes(plaintext));
    }),
  );
});

test('the same plaintext seals differently each time (random nonce)', () => {
  const box = createSecretBox(randomBytes(32));
  assert.notEqual(box.seal('password'), box.seal('password'));
});

test('tampering or the wrong key is detected', () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal('password');
  const parts = sealed.split('.');
  const flipped = Buffer.from(parts[3]!, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  assert.throws(() => box.open([parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.')));
  assert.throws(() => createSecretBox(randomBytes(32)).open(sealed));
  assert.throws(() => box.open('plain text'));
});

test('keys are read as hex or base64, and a key file is made once with mode 0600', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseSecretKey(key.toString('hex')), key);
  assert.deepEqual(parseSecretKey(key.toString('base64')), key);
  assert.throws(() => parseSecretKey('too-short'), /32 bytes/);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-key-'));
  try {
    const first = loadSecretKey(undefined, dir);
    assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
    assert.deepEqual(loadSecretKey(undefined, dir).key, first.key, 'the key file is reused');
    assert.equal(loadSecretKey(key.toString('hex'), dir).source, 'FERRY_SECRET_KEY');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
