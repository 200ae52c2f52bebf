// The wire JSON cache on its own: a rendering is reused only for identical inputs and the same endpoint, and the
// cache stays within its byte budget, keeping what was read recently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireJsonCache } from '../../src/api/wire-json-cache.ts';

const endpointA = {};
const endpointB = {};

test('reused only while every input is identical, and per endpoint', () => {
  const cache = new WireJsonCache(1024 * 1024);
  let renders = 0;
  const render = (text: string) => () => {
    renders += 1;
    return text;
  };
  assert.equal(cache.json('sync 1', ['a', 1], endpointA, render('"one"')), '"one"');
  // Equal content read again (a new string object) is a hit.
  assert.equal(cache.json('sync 1', [['a'].join(''), 1], endpointA, render('"other"')), '"one"');
  assert.equal(cache.kept('sync 1', ['a', 1], endpointA), '"one"');
  assert.equal(renders, 1);
  assert.equal(cache.json('sync 1', ['a', 1], endpointB, render('"one in B"')), '"one in B"');
  // One input changed: both endpoints' renderings are gone.
  assert.equal(cache.kept('sync 1', ['a', 2], endpointA), undefined);
  assert.equal(cache.json('sync 1', ['a', 2], endpointA, render('"two"')), '"two"');
  assert.equal(cache.kept('sync 1', ['a', 2], endpointB), undefined);
  assert.equal(cache.kept('sync 1', ['a', 1], endpointA), undefined);
  assert.equal(renders, 3);
});

test('stays within its budget and gives recently read entries a second chance', () => {
  const cache = new WireJsonCache(10_000);
  const text = 'x'.repeat(900);
  for (let index = 0; index < 5; index++) cache.json(`row ${index}`, [index], endpointA, () => text);
  cache.kept('row 0', [0], endpointA);
  for (let index = 5; index < 20; index++) cache.json(`row ${index}`, [index], endpointA, () => text);
  assert.ok(cache.bytes <= 10_000, `${cache.bytes} bytes kept`);
  assert.equal(cache.kept('row 0', [0], endpointA), text);
  assert.equal(cache.kept('row 1', [1], endpointA), undefined);
  assert.equal(cache.kept('row 19', [19], endpointA), text);
});

test('a budget of 0 keeps nothing', () => {
  const cache = new WireJsonCache(0);
  let renders = 0;
  for (let round = 0; round < 2; round++) cache.json('row', [1], endpointA, () => String(++renders));
  assert.equal(renders, 2);
  assert.equal(cache.bytes, 0);
});
