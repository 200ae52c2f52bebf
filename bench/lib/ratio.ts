// Every benchmark reports its figure as a ratio against a baseline measured in the same run, so that the
// machine's speed cancels out and only the cost of the code under test remains.

/** measured / baseline; NaN when the baseline is missing or zero, so that a broken baseline never reads as a win. */
export function ratio(measured: number, baseline: number): number {
  if (!Number.isFinite(measured) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return measured / baseline;
}

/** Two decimals ("0.64"), or "n/a" for NaN. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : 'n/a';
}
