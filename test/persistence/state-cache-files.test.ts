// The state cache's files (src/persistence/state-cache-files.ts): an entry comes back exactly as saved (every string,
// every value a memo row keeps, under `===`), and only when it was saved at the generation asked for and is whole.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStateCacheFiles } from '../../src/persistence/state-cache-files.ts';
import type { SavedStateEntry } from '../../src/engine/model-sync/state/state-cache-archive.ts';
import { temporaryDirectory } from '../engine/model-sync/model-sync-kit.ts';

const entry = (overrides: Partial<SavedStateEntry> = {}): SavedStateEntry => ({
  syncId: 'sync-1',
  generation: 'g1',
  complete: true,
  keys: ['"a@x"', '"b@x"', '"c@x"'],
  kept: ['{"email":"a@x","n":1}', 'hash0123456789abcdefgh', '{"email":"c@x","n":3}'],
  rows: {
    layout: '[["{\\"email\\":"],["email"]]',
    slots: [0, 2],
    values: [
      ['a@x', 1, true, null],
      ['c@x', -0, false, undefined],
    ],
  },
  ...overrides,
});

/** An entry with no memo rows, as a read gives it (no `rows` key). */
const withoutRows = (overrides: Partial<SavedStateEntry> = {}): SavedStateEntry => {
  const { rows: _, ...rest } = entry(overrides);
  return rest;
};

function withDirectory(body: (directory: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const directory = temporaryDirectory('ferry-state-cache-files-');
    try {
      await body(directory.path);
    } finally {
      directory.remove();
    }
  };
}

describe('state cache files', () => {
  test(
    'an entry comes back as saved: keys, kept text, rows and their typed values',
    withDirectory(async (directory) => {
      const files = createStateCacheFiles(directory);
      await files.write([entry()]);
      const read = await files.read('sync-1', 'g1');
      assert.deepEqual(read, entry());
      assert.ok(Object.is(read!.rows!.values[1]![1], -0), '-0 stays -0');
      assert.ok(read!.rows!.values[1]!.length === 4 && read!.rows!.values[1]![3] === undefined, 'undefined ≠ null');
      const [name] = readdirSync(directory);
      assert.equal(statSync(join(directory, name!)).mode & 0o777, 0o600, 'readable by its owner only');
      assert.ok(!name!.includes('sync-1'), 'named by a digest, not by the sync id');
    }),
  );

  test(
    'text beyond latin1 (other scripts, emoji, a lone surrogate) and an entry without rows',
    withDirectory(async (directory) => {
      const files = createStateCacheFiles(directory);
      const unusual = entry({
        keys: ['"Ōsaka"', '"😀"', '"\ud800"'],
        kept: ['{"n":"Ōsaka"}', '{"n":"😀"}', ''],
        rows: { layout: 'L', slots: [1], values: [['😀\ud800', 0.1, 'ü']] },
      });
      await files.write([unusual, withoutRows({ syncId: 'sync-2' })]);
      assert.deepEqual(await files.read('sync-1', 'g1'), unusual);
      assert.deepEqual(await files.read('sync-2', 'g1'), withoutRows({ syncId: 'sync-2' }));
    }),
  );

  test(
    'saved at another generation: not returned, and removed; a later save replaces the file whole',
    withDirectory(async (directory) => {
      const files = createStateCacheFiles(directory);
      await files.write([entry()]);
      assert.equal(await files.read('sync-1', 'g2'), undefined);
      assert.deepEqual(readdirSync(directory), [], 'a stale file can never be used again');
      assert.equal(await files.read('sync-1', 'g1'), undefined, 'gone');
      await files.write([entry()]);
      await files.write([withoutRows({ generation: 'g3', keys: ['"z"'], kept: ['{}'] })]);
      assert.deepEqual(
        await files.read('sync-1', 'g3'),
        withoutRows({ generation: 'g3', keys: ['"z"'], kept: ['{}'] }),
      );
      assert.equal(readdirSync(directory).length, 1, 'no temporary file left');
    }),
  );

  test(
    "a damaged or torn file is ignored and removed; discard removes the sync's file",
    withDirectory(async (directory) => {
      const files = createStateCacheFiles(directory);
      await files.write([entry()]);
      const [name] = readdirSync(directory);
      const path = join(directory, name!);
      const whole = readFileSync(path);
      const flipped = Buffer.from(whole);
      flipped[flipped.length - 3]! ^= 1;
      writeFileSync(path, flipped);
      assert.equal(await files.read('sync-1', 'g1'), undefined, 'one bit off in the body');
      // The header's row count, one less: offsets that pass the decoder, but not the checksum.
      writeFileSync(path, Buffer.from(whole.toString('latin1').replace('"rows":2', '"rows":1'), 'latin1'));
      assert.equal(await files.read('sync-1', 'g1'), undefined, 'a header field changed');
      writeFileSync(path, whole.subarray(0, whole.length - 10));
      assert.equal(await files.read('sync-1', 'g1'), undefined, 'cut short');
      writeFileSync(path, whole.subarray(0, 20));
      assert.equal(await files.read('sync-1', 'g1'), undefined, 'cut inside the header');
      assert.deepEqual(readdirSync(directory), []);
      assert.equal(await files.read('sync-1', 'g1'), undefined, 'no file');
      await files.write([entry()]);
      await files.discard('sync-1');
      assert.deepEqual(readdirSync(directory), []);
    }),
  );

  test(
    'savedSyncIds names the syncs of the files, a long sync id too; a file whose header cannot be read goes',
    withDirectory(async (directory) => {
      const files = createStateCacheFiles(directory);
      assert.deepEqual(await files.savedSyncIds(), [], 'no directory yet');
      const long = 'x'.repeat(5000);
      await files.write([entry(), withoutRows({ syncId: long })]);
      writeFileSync(join(directory, 'torn.state-cache'), Buffer.from('FERRYSC1'));
      writeFileSync(join(directory, 'other.txt'), 'not ours');
      assert.deepEqual((await files.savedSyncIds()).sort(), ['sync-1', long].sort());
      assert.deepEqual(
        readdirSync(directory).filter((name) => name.startsWith('torn')),
        [],
      );
      assert.ok((await files.read(long, 'g1')) !== undefined, 'the long one reads back');
    }),
  );
});
