// What bench/scale reads from the executions table after a round: each execution's delay from the instant its sync
// was due to its start, the round's span, and whether any sync ever had two executions running at once.

export interface ExecutionSpan {
  syncId: string;
  executionId: string;
  status: string;
  startedAt: number;
  completedAt: number;
  rows: number;
}

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Pairs of executions of one sync whose [started, completed] intervals overlap: two runs of it at the same time. */
export function overlappingRuns(spans: readonly ExecutionSpan[]): Array<[ExecutionSpan, ExecutionSpan]> {
  const bySync = new Map<string, ExecutionSpan[]>();
  for (const span of spans) bySync.set(span.syncId, [...(bySync.get(span.syncId) ?? []), span]);
  const overlaps: Array<[ExecutionSpan, ExecutionSpan]> = [];
  for (const runs of bySync.values()) {
    const sorted = [...runs].sort((a, b) => a.startedAt - b.startedAt);
    for (let index = 1; index < sorted.length; index += 1)
      if (sorted[index]!.startedAt < sorted[index - 1]!.completedAt)
        overlaps.push([sorted[index - 1]!, sorted[index]!]);
  }
  return overlaps;
}

/** The most executions running at one instant. */
export function peakConcurrency(spans: readonly ExecutionSpan[]): number {
  const events = spans.flatMap((span) => [
    { at: span.startedAt, change: 1 },
    { at: span.completedAt, change: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.change - b.change);
  let running = 0;
  let peak = 0;
  for (const event of events) {
    running += event.change;
    peak = Math.max(peak, running);
  }
  return peak;
}
