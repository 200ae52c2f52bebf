// Field discovery for files without a declared schema (CSV text, JSON Lines values). It looks at a
// sample of rows, not the whole file, so a later row may disagree: decoding then keeps such a value
// as the text it was (never throws), and `nullable` only says whether the sample held a null.
import type { FileKind } from './file-kinds.ts';

/** Rows examined to infer kinds: enough to see nulls and mixed forms, small enough to answer quickly. */
export const inferenceSampleRows = 1000;

const integerText = /^-?(0|[1-9]\d*)$/;
// A leading zero (`007`, zip codes) or a plus sign is text someone meant as text; exponents too.
const decimalText = /^-?(0|[1-9]\d*)\.\d+$/;
const zonedTimestampText = /^-?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?\s*(Z|[+-]\d{2}(:?\d{2})?)$/i;
const naiveTimestampText = /^-?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/;
const dateText = /^\d{4}-\d{2}-\d{2}$/;

function jsonText(text: string): boolean {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Kinds a text value can be, in order of preference for a whole column. */
function textKinds(text: string): Set<FileKind> {
  const kinds = new Set<FileKind>(['string']);
  if (integerText.test(text)) {
    kinds.add(Number.isSafeInteger(Number(text)) ? 'integer' : 'bigint').add('bigint');
  }
  if (integerText.test(text) || decimalText.test(text)) kinds.add('decimal');
  if (/^(true|false)$/i.test(text)) kinds.add('boolean');
  if (zonedTimestampText.test(text)) kinds.add('timestamp');
  if (naiveTimestampText.test(text)) kinds.add('timestamp_naive');
  if (dateText.test(text)) kinds.add('date');
  if (jsonText(text)) kinds.add('json');
  return kinds;
}

const preference: FileKind[] = [
  'integer',
  'bigint',
  'decimal',
  'boolean',
  'timestamp',
  'timestamp_naive',
  'date',
  'json',
  'string',
];

/** Accumulates the kinds every sampled value of one column allows; `kind` is the narrowest one. */
export interface KindTally {
  add(value: unknown): void;
  readonly kind: FileKind;
  readonly sawNull: boolean;
}

/** For CSV: values are text (or null for an unquoted empty field). */
export function createTextKindTally(): KindTally {
  let possible: Set<FileKind> | undefined;
  let sawNull = false;
  return {
    add(value) {
      if (value === null || value === undefined) {
        sawNull = true;
        return;
      }
      const kinds = textKinds(String(value));
      possible = possible ? new Set([...possible].filter((kind) => kinds.has(kind))) : kinds;
    },
    get kind() {
      return preference.find((kind) => possible?.has(kind)) ?? 'string';
    },
    get sawNull() {
      return sawNull;
    },
  };
}

/** For JSON Lines: values are parsed JSON; strings are only refined into timestamps and dates. */
export function createJsonKindTally(): KindTally {
  const seen = new Set<string>();
  let textTally: KindTally | undefined;
  let allIntegers = true;
  let allArrays = true;
  let sawNull = false;
  return {
    add(value) {
      if (value === null || value === undefined) {
        sawNull = true;
        return;
      }
      const jsonType = Array.isArray(value) ? 'object' : typeof value;
      seen.add(jsonType);
      if (jsonType === 'number' && !Number.isInteger(value)) allIntegers = false;
      if (jsonType === 'object' && !Array.isArray(value)) allArrays = false;
      if (jsonType === 'string') {
        textTally ??= createTextKindTally();
        textTally.add(value);
      }
    },
    get kind(): FileKind {
      if (seen.size !== 1) return seen.size === 0 ? 'string' : 'json';
      const [only] = seen;
      if (only === 'number') return allIntegers ? 'integer' : 'double';
      if (only === 'boolean') return 'boolean';
      if (only === 'object') return allArrays ? 'array' : 'json';
      const textKind = textTally?.kind ?? 'string';
      return textKind === 'timestamp' || textKind === 'timestamp_naive' || textKind === 'date' ? textKind : 'string';
    },
    get sawNull() {
      return sawNull;
    },
  };
}
