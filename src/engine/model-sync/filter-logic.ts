// filter_logic ("(1 AND 2) OR NOT 3") parsed into a tree once per plan, by recursive descent:
//   or  := and ("OR" and)*      and := not ("AND" not)*      not := "NOT" not | atom
//   atom := <filter number, 1-based> | "(" or ")"
// AND binds tighter than OR, as in SQL. Keywords are case-insensitive.
export type FilterExpression =
  | { kind: 'filter'; index: number }
  | { kind: 'and' | 'or'; operands: FilterExpression[] }
  | { kind: 'not'; operand: FilterExpression };

export class FilterLogicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterLogicError';
  }
}

function tokenize(text: string): string[] {
  const tokens = text.match(/\(|\)|[A-Za-z]+|\d+|\S/g) ?? [];
  for (const token of tokens) {
    if (!/^(\(|\)|\d+|and|or|not)$/i.test(token)) throw new FilterLogicError(`filter_logic: unexpected "${token}"`);
  }
  return tokens;
}

/** Parses `text` over `filterCount` filters; every referenced number must exist. */
export function parseFilterLogic(text: string, filterCount: number): FilterExpression {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]?.toUpperCase();
  const expect = (what: string) => {
    if (peek() !== what)
      throw new FilterLogicError(
        `filter_logic: expected "${what}" at token ${position + 1}${tokens[position] ? ` ("${tokens[position]}")` : ' (end)'}`,
      );
    position += 1;
  };
  const parseAtom = (): FilterExpression => {
    const token = tokens[position];
    if (token === undefined) throw new FilterLogicError('filter_logic: unexpected end');
    if (token === '(') {
      position += 1;
      const inner = parseOr();
      expect(')');
      return inner;
    }
    if (/^\d+$/.test(token)) {
      position += 1;
      const number = Number(token);
      if (number < 1 || number > filterCount)
        throw new FilterLogicError(`filter_logic: filter ${number} does not exist (there are ${filterCount})`);
      return { kind: 'filter', index: number - 1 };
    }
    throw new FilterLogicError(`filter_logic: unexpected "${token}"`);
  };
  const parseNot = (): FilterExpression => {
    if (peek() !== 'NOT') return parseAtom();
    position += 1;
    return { kind: 'not', operand: parseNot() };
  };
  const parseList = (kind: 'and' | 'or', keyword: string, parseOperand: () => FilterExpression): FilterExpression => {
    const operands = [parseOperand()];
    while (peek() === keyword) {
      position += 1;
      operands.push(parseOperand());
    }
    return operands.length === 1 ? operands[0] : { kind, operands };
  };
  const parseAnd = () => parseList('and', 'AND', parseNot);
  const parseOr = (): FilterExpression => parseList('or', 'OR', parseAnd);
  if (tokens.length === 0) throw new FilterLogicError('filter_logic is empty');
  const tree = parseOr();
  if (position !== tokens.length)
    throw new FilterLogicError(`filter_logic: unexpected "${tokens[position]}" after a complete expression`);
  return tree;
}

/** The default logic: every filter must pass. */
export function allFilters(filterCount: number): FilterExpression {
  return {
    kind: 'and',
    operands: Array.from({ length: filterCount }, (_, index) => ({ kind: 'filter' as const, index })),
  };
}

/** Evaluates lazily: `test(i)` runs only for the filters the short-circuit reaches. */
export function evaluateFilterLogic(expression: FilterExpression, test: (index: number) => boolean): boolean {
  switch (expression.kind) {
    case 'filter':
      return test(expression.index);
    case 'not':
      return !evaluateFilterLogic(expression.operand, test);
    case 'and':
      return expression.operands.every((operand) => evaluateFilterLogic(operand, test));
    case 'or':
      return expression.operands.some((operand) => evaluateFilterLogic(operand, test));
  }
}
