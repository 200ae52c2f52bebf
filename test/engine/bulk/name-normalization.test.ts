// Each clause of the normalize_names rules (src/engine/bulk/name-normalization.ts, docs/bulk-engine.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { defaultOutputName, normalizeName, uniqueNames } from '../../../src/engine/bulk/name-normalization.ts';

test('disabled keeps the name as the source spells it', () => {
  assert.equal(normalizeName('Order Items (2024)', 'disabled'), 'Order Items (2024)');
});

test('enabled: fold accents, lower-case, collapse unsafe runs, trim, prefix digits, cut at 63', () => {
  assert.equal(normalizeName('Café Crème', 'enabled'), 'cafe_creme');
  assert.equal(normalizeName('Order Items (2024)', 'enabled'), 'order_items_2024');
  assert.equal(normalizeName('__Already_Snake__', 'enabled'), 'already_snake');
  assert.equal(normalizeName('2fa-enabled', 'enabled'), '_2fa_enabled');
  assert.equal(normalizeName('!!!', 'enabled'), '_');
  assert.equal(normalizeName('x'.repeat(80), 'enabled').length, 63);
  assert.equal(normalizeName(`${'x'.repeat(62)} y`, 'enabled'), 'x'.repeat(62));
  assert.equal(normalizeName('ﬁeld', 'enabled'), 'field');
});

test('legacy: lower-case and one underscore per unsafe character, nothing else', () => {
  assert.equal(normalizeName('Order Items (2024)', 'legacy'), 'order_items__2024_');
  assert.equal(normalizeName('Café', 'legacy'), 'caf_');
  assert.equal(normalizeName('2fa', 'legacy'), '2fa');
});

test('enabled output is always a safe identifier of 1 to 63 characters, and stable', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), (name) => {
      const normalized = normalizeName(name, 'enabled');
      assert.match(normalized, /^[a-z_][a-z0-9_]{0,62}$/);
      assert.equal(normalizeName(normalized, 'enabled'), normalized);
    }),
  );
});

test('colliding names get _2, _3 suffixes in source order; default output name is the last dotted part', () => {
  assert.deepEqual(uniqueNames(['Name', 'name', 'NAME', 'other'], 'enabled'), ['name', 'name_2', 'name_3', 'other']);
  assert.equal(defaultOutputName('public.Customer Orders', 'enabled'), 'customer_orders');
  assert.equal(defaultOutputName('users', 'disabled'), 'users');
});
