// toUtcIso returns text already in its canonical form without parsing it; that shortcut must give exactly what the
// full parse gives, for real instants and for text that only looks canonical (Feb 29 of common years, hour 24,
// second 60, month 13), which the full parse rolls over.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toUtcIso } from '../../src/connectors/temporal-values.ts';

const two = (low: number, high: number) =>
  fc.integer({ min: low, max: high }).map((value) => String(value).padStart(2, '0'));

const canonicalLooking = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }).map((year) => String(year).padStart(4, '0')),
    two(0, 13),
    two(0, 32),
    two(0, 24),
    two(0, 60),
    two(0, 60),
    fc.integer({ min: 0, max: 999_999 }).map((micros) => String(micros).padStart(6, '0')),
  )
  .map(
    ([year, month, day, hour, minute, second, micros]) =>
      `${year}-${month}-${day}T${hour}:${minute}:${second}.${micros}Z`,
  );

test('canonical-looking UTC text normalises as the full parse of the same instant does', () => {
  // A space instead of the T takes the full parse.
  fc.assert(
    fc.property(canonicalLooking, (text) => assert.equal(toUtcIso(text), toUtcIso(text.replace('T', ' ')))),
    { numRuns: 20_000 },
  );
  for (const text of ['2024-02-29T00:00:00.000000Z', '2000-02-29T23:59:59.999999Z', '0000-01-01T00:00:00.000000Z'])
    assert.equal(toUtcIso(text), text);
  assert.equal(toUtcIso('2023-02-29T00:00:00.000000Z'), '2023-03-01T00:00:00.000000Z');
  assert.equal(toUtcIso('1900-02-29T00:00:00.000000Z'), '1900-03-01T00:00:00.000000Z');
  assert.equal(toUtcIso('2024-01-01T24:00:00.000000Z'), '2024-01-02T00:00:00.000000Z');
});
