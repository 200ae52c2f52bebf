// filter_logic parsing and evaluation, the FilterFunction table, and the compiled record filter.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  FilterLogicError,
  evaluateFilterLogic,
  parseFilterLogic,
  type FilterExpression,
} from '../../../src/engine/model-sync/filter-logic.ts';
import { durationMs, filterPredicates } from '../../../src/engine/model-sync/filter-functions.ts';
import { compileRecordFilter } from '../../../src/engine/model-sync/record-filter.ts';

const now = new Date('2026-06-15T12:00:00Z');

describe('filter_logic', () => {
  test('AND binds tighter than OR; parentheses and NOT; keywords in any case', () => {
    assert.deepEqual(parseFilterLogic('1 OR 2 AND 3', 3), {
      kind: 'or',
      operands: [
        { kind: 'filter', index: 0 },
        {
          kind: 'and',
          operands: [
            { kind: 'filter', index: 1 },
            { kind: 'filter', index: 2 },
          ],
        },
      ],
    });
    assert.deepEqual(parseFilterLogic('(1 and 2) or not 3', 3), {
      kind: 'or',
      operands: [
        {
          kind: 'and',
          operands: [
            { kind: 'filter', index: 0 },
            { kind: 'filter', index: 1 },
          ],
        },
        { kind: 'not', operand: { kind: 'filter', index: 2 } },
      ],
    });
    assert.deepEqual(parseFilterLogic(' ((2)) ', 2), { kind: 'filter', index: 1 });
  });

  test('refuses bad logic with a message that says where', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['1 AND', /unexpected end/],
      ['(1 OR 2', /expected "\)"/],
      ['1 2', /after a complete expression/],
      ['4', /filter 4 does not exist/],
      ['0', /filter 0 does not exist/],
      ['1 XOR 2', /unexpected "XOR"/],
      ['1 & 2', /unexpected "&"/],
      ['1 OR )', /unexpected "\)"/],
    ];
    for (const [text, message] of cases)
      assert.throws(
        () => parseFilterLogic(text, 3),
        (error: unknown) => error instanceof FilterLogicError && message.test(error.message),
        text,
      );
  });

  test('property: the parse of a printed tree evaluates like the tree, for every assignment', () => {
    const tree: fc.Arbitrary<FilterExpression> = fc.letrec<{ node: FilterExpression }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.integer({ min: 0, max: 3 }).map((index) => ({ kind: 'filter' as const, index })),
        tie('node').map((operand) => ({ kind: 'not' as const, operand })),
        fc
          .tuple(fc.constantFrom('and' as const, 'or' as const), fc.array(tie('node'), { minLength: 2, maxLength: 3 }))
          .map(([kind, operands]) => ({ kind, operands })),
      ),
    })).node;
    const print = (node: FilterExpression): string =>
      node.kind === 'filter'
        ? String(node.index + 1)
        : node.kind === 'not'
          ? `NOT (${print(node.operand)})`
          : node.operands.map((operand) => `(${print(operand)})`).join(node.kind === 'and' ? ' AND ' : ' OR ');
    fc.assert(
      fc.property(tree, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (node, values) => {
        const parsed = parseFilterLogic(print(node), 4);
        assert.equal(
          evaluateFilterLogic(parsed, (index) => values[index]),
          evaluateFilterLogic(node, (index) => values[index]),
        );
      }),
    );
  });
});

describe('filter functions', () => {
  const check = (name: keyof typeof filterPredicates, value: unknown, operand: unknown) =>
    filterPredicates[name](value, operand, now);

  test('equality and order compare numbers numerically, dates chronologically, text otherwise', () => {
    assert.equal(check('Equality', '10.50', 10.5), true);
    assert.equal(check('Equality', 'a', 'A'), false);
    assert.equal(check('Equality', true, true), true);
    assert.equal(check('Equality', 't', true), true);
    assert.equal(check('Inequality', null, 'x'), true);
    assert.equal(check('GreaterThan', '9', '10'), false, 'numeric, not textual');
    assert.equal(check('LessThanEqual', 3, 3), true);
    assert.equal(check('OnOrAfter', '2026-06-01T00:00:00Z', '2026-05-31'), true);
    assert.equal(check('OnOrBefore', '2026-06-01', '2026-05-31T23:59:59Z'), false);
    assert.equal(check('GreaterThan', null, 1), false, 'null never orders');
    assert.equal(check('Between', 5, [1, 5]), true);
    assert.equal(check('Between', '2026-01-10', { from: '2026-01-01', to: '2026-01-09' }), false);
  });

  test('nulls and booleans', () => {
    assert.equal(check('IsNull', undefined, undefined), true);
    assert.equal(check('IsNotNull', 0, undefined), true);
    assert.equal(check('True', 1, undefined), true);
    assert.equal(check('False', 'false', undefined), true);
    assert.equal(check('True', null, undefined), false);
  });

  test('strings, lists, arrays and LIKE', () => {
    assert.equal(check('StringContains', 'hello world', 'lo w'), true);
    assert.equal(check('StringStartsWith', 'hello', 'he'), true);
    assert.equal(check('StringEndsWith', 'hello', 'LO'), false, 'case-sensitive');
    assert.equal(check('StringDoesNotContain', null, 'x'), false, 'null is not a string');
    assert.equal(check('StringOneOf', 'b', ['a', 'b']), true);
    assert.equal(check('StringOneOf', 'b', 'a, b'), true);
    assert.equal(check('StringNotOneOf', 'c', ['a', 'b']), true);
    assert.equal(check('ArrayContains', ['x', 2], 2), true);
    assert.equal(check('ArrayContains', '["x","y"]', 'y'), true);
    assert.equal(check('ArrayDoesNotContain', ['x'], 'y'), true);
    assert.equal(check('StringLike', 'a.b%c', 'a._\\%c'), true);
    assert.equal(check('StringLike', 'abc', 'a%'), true);
    assert.equal(check('StringNotLike', 'abc', 'b%'), true);
    assert.equal(check('StringMatchesTrimmed', '  Hello ', 'hello'), true);
  });

  test('relative dates against the run clock', () => {
    assert.equal(durationMs('7 days'), 7 * 86_400_000);
    assert.equal(durationMs({ value: 2, unit: 'hours' }), 7_200_000);
    assert.equal(durationMs(3), 3 * 86_400_000);
    assert.throws(() => durationMs('soon'), /not a duration/);
    assert.equal(check('InTheLast', '2026-06-10T00:00:00Z', '7 days'), true);
    assert.equal(check('InTheLast', '2026-06-01T00:00:00Z', '7 days'), false);
    assert.equal(check('RelativeOnOrBefore', '2026-06-01T00:00:00Z', '7 days'), true);
    assert.equal(check('RelativeOnOrAfter', '2026-06-01T00:00:00Z', '7 days'), false);
  });
});

describe('compiled record filter', () => {
  const filters = [
    { field: { field: 'plan' }, function: 'Equality' as const, value: 'pro' },
    { field: { field: 'seats' }, function: 'GreaterThan' as const, value: 10 },
    { field_type: 'Target' as const, field_id: 'Email', function: 'StringEndsWith' as const, value: '@vip.com' },
  ];
  test('"(1 AND 2) OR 3" over model fields and a mapped target field', () => {
    const filter = compileRecordFilter({ filters, filter_logic: '(1 AND 2) OR 3' }, now);
    assert.equal(filter({ plan: 'pro', seats: 11 }, { Email: 'a@x.com' }), true);
    assert.equal(filter({ plan: 'pro', seats: 5 }, { Email: 'a@x.com' }), false);
    assert.equal(filter({ plan: 'free', seats: 0 }, { Email: 'b@vip.com' }), true);
  });
  test('without filter_logic every filter must pass; bad logic and unknown functions throw at compile time', () => {
    const filter = compileRecordFilter({ filters }, now);
    assert.equal(filter({ plan: 'pro', seats: 11 }, { Email: 'b@vip.com' }), true);
    assert.equal(filter({ plan: 'pro', seats: 11 }, { Email: 'a@x.com' }), false);
    assert.throws(() => compileRecordFilter({ filters, filter_logic: '1 AND 5' }, now), FilterLogicError);
    assert.throws(() => compileRecordFilter({ filters: [{ function: 'Nope' as never }] }, now), TypeError);
  });
});
