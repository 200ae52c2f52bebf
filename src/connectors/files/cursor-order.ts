// Ordering of cursor values for incremental reads. Files have no index, so the source compares
// values itself: numbers and decimal strings numerically and exactly (decimals and 64-bit integers
// are strings, and '10' must sort after '9'); everything else as text, which orders the ISO
// timestamps Ferry produces correctly.

const decimalPattern = /^\s*([+-]?)(\d*)(?:\.(\d*))?\s*$/;

function decimalParts(value: unknown): { negative: boolean; whole: string; fraction: string } | undefined {
  const text =
    typeof value === 'number'
      ? Number.isFinite(value)
        ? value.toFixed(20)
        : undefined
      : typeof value === 'bigint'
        ? value.toString()
        : value;
  if (typeof text !== 'string') return undefined;
  const match = decimalPattern.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const whole = match[2].replace(/^0+/, '');
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  return { negative: match[1] === '-' && (whole !== '' || fraction !== ''), whole, fraction };
}

function compareMagnitude(
  left: { whole: string; fraction: string },
  right: { whole: string; fraction: string },
): number {
  if (left.whole.length !== right.whole.length) return left.whole.length - right.whole.length;
  if (left.whole !== right.whole) return left.whole < right.whole ? -1 : 1;
  const width = Math.max(left.fraction.length, right.fraction.length);
  const a = left.fraction.padEnd(width, '0');
  const b = right.fraction.padEnd(width, '0');
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Negative, zero or positive as `left` sorts before, with or after `right`; null sorts first. */
export function compareCursorValues(left: unknown, right: unknown): number {
  if (left === null || left === undefined) return right === null || right === undefined ? 0 : -1;
  if (right === null || right === undefined) return 1;
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  const a = decimalParts(left);
  const b = decimalParts(right);
  if (a && b) {
    if (a.negative !== b.negative) return a.negative ? -1 : 1;
    const magnitude = compareMagnitude(a, b);
    return a.negative ? -magnitude : magnitude;
  }
  const leftText = typeof left === 'string' ? left : JSON.stringify(left);
  const rightText = typeof right === 'string' ? right : JSON.stringify(right);
  return leftText === rightText ? 0 : leftText < rightText ? -1 : 1;
}
