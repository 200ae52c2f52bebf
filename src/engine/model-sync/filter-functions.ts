// The spec's FilterFunction list as one table of predicates over (field value, filter value).
// Value conventions follow records.ts: decimals and big integers arrive as strings, timestamps as
// ISO strings, so comparisons are numeric when both sides read as numbers, chronological when both
// read as dates, and textual otherwise. String functions are case-sensitive, as SQL's LIKE is;
// StringMatchesTrimmed ignores surrounding white space and case (it exists for messy text).
import type { FilterFunction } from './model-sync-plan.ts';

export type Predicate = (value: unknown, operand: unknown, now: Date) => boolean;

const numberPattern = /^\s*-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && numberPattern.test(value)) return Number(value);
  return undefined;
}

function asTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}

/** -1, 0, 1, or undefined when either side is null or the two cannot be ordered. */
function compareValues(left: unknown, right: unknown): number | undefined {
  if (isNull(left) || isNull(right)) return undefined;
  const leftNumber = asNumber(left);
  const rightNumber = asNumber(right);
  if (leftNumber !== undefined && rightNumber !== undefined) return Math.sign(leftNumber - rightNumber);
  const leftTime = asTime(left);
  const rightTime = asTime(right);
  if (leftTime !== undefined && rightTime !== undefined) return Math.sign(leftTime - rightTime);
  const leftText = text(left);
  const rightText = text(right);
  return leftText === rightText ? 0 : leftText < rightText ? -1 : 1;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function truthy(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1' || value === 'true' || value === 't') return true;
  if (value === 0 || value === '0' || value === 'false' || value === 'f') return false;
  return undefined;
}

function list(operand: unknown): unknown[] {
  if (Array.isArray(operand)) return operand;
  if (typeof operand === 'string') return operand.split(',').map((item) => item.trim());
  return isNull(operand) ? [] : [operand];
}

function arrayOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const unitMs: Record<string, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/** A duration as `{ value, unit }`, "7 days", or a bare number of days. */
export function durationMs(operand: unknown): number {
  let amount: unknown = operand;
  let unit = 'day';
  if (typeof operand === 'object' && operand !== null && !Array.isArray(operand)) {
    const shape = operand as { value?: unknown; amount?: unknown; unit?: unknown };
    amount = shape.value ?? shape.amount;
    if (typeof shape.unit === 'string') unit = shape.unit;
  } else if (typeof operand === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)?\s*$/i.exec(operand);
    if (!match) throw new TypeError(`"${operand}" is not a duration (e.g. "7 days")`);
    amount = match[1];
    unit = match[2] ?? 'day';
  }
  const number = asNumber(amount);
  const scale = unitMs[unit.toLowerCase().replace(/s$/, '')];
  if (number === undefined || scale === undefined)
    throw new TypeError(`${JSON.stringify(operand)} is not a duration (e.g. { "value": 7, "unit": "days" })`);
  return number * scale;
}

function bounds(operand: unknown): [unknown, unknown] {
  if (Array.isArray(operand) && operand.length === 2) return [operand[0], operand[1]];
  if (typeof operand === 'object' && operand !== null) {
    const shape = operand as Record<string, unknown>;
    return [shape.from ?? shape.start ?? shape.min, shape.to ?? shape.end ?? shape.max];
  }
  throw new TypeError('Between needs [low, high] or { "from": …, "to": … }');
}

/** SQL LIKE: `%` any run, `_` one character, `\` escapes. */
function likePattern(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern[index];
    if (character === '\\' && index + 1 < pattern.length)
      source += pattern[++index].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (character === '%') source += '.*';
    else if (character === '_') source += '.';
    else source += character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

const ordered =
  (test: (order: number) => boolean): Predicate =>
  (value, operand) => {
    const order = compareValues(value, operand);
    return order !== undefined && test(order);
  };
const textual =
  (test: (value: string, operand: string) => boolean): Predicate =>
  (value, operand) =>
    !isNull(value) && test(text(value), text(operand));
const equal: Predicate = (value, operand) => {
  const flag = typeof operand === 'boolean' ? truthy(value) : undefined;
  return flag !== undefined ? flag === operand : compareValues(value, operand) === 0;
};
const relative =
  (test: (time: number, now: number, span: number) => boolean): Predicate =>
  (value, operand, now) => {
    const time = asTime(value);
    return time !== undefined && test(time, now.getTime(), durationMs(operand));
  };
const contains: Predicate = (value, operand, now) => arrayOf(value)?.some((item) => equal(item, operand, now)) ?? false;
const oneOf: Predicate = (value, operand) => !isNull(value) && list(operand).some((item) => text(item) === text(value));

export const filterPredicates: Readonly<Record<FilterFunction, Predicate>> = {
  Equality: equal,
  Inequality: (value, operand) => !equal(value, operand, new Date(0)),
  IsNull: (value) => isNull(value),
  IsNotNull: (value) => !isNull(value),
  True: (value) => truthy(value) === true,
  False: (value) => truthy(value) === false,
  OnOrAfter: ordered((order) => order >= 0),
  OnOrBefore: ordered((order) => order <= 0),
  GreaterThan: ordered((order) => order > 0),
  GreaterThanEqual: ordered((order) => order >= 0),
  LessThan: ordered((order) => order < 0),
  LessThanEqual: ordered((order) => order <= 0),
  StringContains: textual((value, operand) => value.includes(operand)),
  StringStartsWith: textual((value, operand) => value.startsWith(operand)),
  StringEndsWith: textual((value, operand) => value.endsWith(operand)),
  StringDoesNotContain: textual((value, operand) => !value.includes(operand)),
  StringDoesNotStartWith: textual((value, operand) => !value.startsWith(operand)),
  StringDoesNotEndWith: textual((value, operand) => !value.endsWith(operand)),
  StringOneOf: oneOf,
  StringNotOneOf: (value, operand, now) => !isNull(value) && !oneOf(value, operand, now),
  Between: (value, operand) => {
    const [low, high] = bounds(operand);
    const above = compareValues(value, low);
    const below = compareValues(value, high);
    return above !== undefined && below !== undefined && above >= 0 && below <= 0;
  },
  ArrayContains: contains,
  ArrayDoesNotContain: (value, operand, now) => arrayOf(value) !== undefined && !contains(value, operand, now),
  InTheLast: relative((time, now, span) => time >= now - span && time <= now),
  RelativeOnOrAfter: relative((time, now, span) => time >= now - span),
  RelativeOnOrBefore: relative((time, now, span) => time <= now - span),
  StringLike: textual((value, operand) => likePattern(operand).test(value)),
  StringNotLike: textual((value, operand) => !likePattern(operand).test(value)),
  StringMatchesTrimmed: textual((value, operand) => value.trim().toLowerCase() === operand.trim().toLowerCase()),
};
