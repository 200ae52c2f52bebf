// Parallel ranges of one big table on a direct-copy path (PostgreSQL's and MySQL's): the order field's values are
// cut into ranges, and each range is copied in its own chunks on its own connections, so several copies run at once
// (as pgcopydb's --split-tables-larger-than and PeerDB's partitions do). Each range remembers the last value it
// committed, so a resumed attempt copies only what the unfinished ranges still lack. The state travels as the copy's
// cursor, which the engine checkpoints after every committed chunk without looking inside it. How a table is cut and
// how a range is read are each connector's; the bookkeeping here is shared.
import { setMaxListeners } from 'node:events';
import type { RunContext } from '../domain/run-context.ts';
import { canceledError, ConnectorError } from './connector-error.ts';
import type { DirectCopyChunk } from './connector.ts';

/** One range: values past `lower` (exclusive; null: from the smallest) up to `upper` (inclusive; null: no end). */
export interface CopyRange {
  lower: unknown;
  upper: unknown;
  /** The last order-field value committed in this range; null before its first chunk. */
  after: unknown;
  done: boolean;
}

/** The cursor a ranged copy reports: every range's progress. */
interface RangesCursor {
  kind: 'copy_ranges';
  ranges: CopyRange[];
}

function isRangesCursor(value: unknown): value is RangesCursor {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'copy_ranges' &&
    Array.isArray((value as { ranges?: unknown }).ranges)
  );
}

/**
 * The ranges of a copy from `after`: those a resumed attempt left in its cursor, `plan()`'s for a read from the
 * start, or none (an incremental read is one stream). A resumed copy's last range has no end: rows added since it
 * finished belong to it, so it is always read again from its last value.
 */
export async function rangesToCopy(
  after: unknown,
  plan: () => Promise<CopyRange[] | undefined>,
): Promise<CopyRange[] | undefined> {
  if (isRangesCursor(after))
    return after.ranges.map((range, index, all) => ({ ...range, done: range.done && index < all.length - 1 }));
  return after === undefined || after === null ? plan() : undefined;
}

/** Ranges between consecutive cuts: (null, c1], (c1, c2], …, (cn, no end). */
export function rangesBetween(cuts: readonly unknown[]): CopyRange[] {
  const bounds: unknown[] = [null, ...cuts, null];
  return bounds.slice(0, -1).map((lower, index) => ({ lower, upper: bounds[index + 1], after: null, done: false }));
}

/** The largest value any range committed: the plain cursor a next execution continues from. */
export function largestCommitted(ranges: readonly CopyRange[]): unknown {
  return ranges.findLast((range) => range.after !== null)?.after ?? null;
}

/**
 * Copies one range: calls `committed(rows, after)` once its chunk ending at order value `after` is committed, and
 * resolves when the range is copied to its end.
 */
export type RangeCopy = (
  context: RunContext,
  range: CopyRange,
  committed: (rows: number, after: unknown) => Promise<void>,
) => Promise<void>;

/**
 * Copies the unfinished ranges at once (one `copyRange` each). Reports are serialized and carry every range's
 * progress, so each checkpoint names exactly what is committed. The first failure stops the other ranges at their
 * next chunk (their transactions roll back) and is the one thrown.
 */
export async function copyRanges(
  context: RunContext,
  ranges: CopyRange[],
  copyRange: RangeCopy,
  onCommitted: (chunk: DirectCopyChunk) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const signal = AbortSignal.any([context.signal, stop.signal]);
  // Each range's reads, loads and clients listen on this one signal at once (a few listeners a range, each removed
  // when its chunk ends): more than the default 10 is expected here, not a leak.
  setMaxListeners(10 + 8 * ranges.length, signal);
  const rangeContext: RunContext = { ...context, signal };
  // A range's progress changes only in its turn here, so each report's cursor holds exactly the chunks reported.
  let reporting = Promise.resolve();
  const report = (range: CopyRange, progress: Partial<CopyRange>, rows: number) => {
    reporting = reporting.then(() => {
      Object.assign(range, progress);
      const cursor: RangesCursor = { kind: 'copy_ranges', ranges: ranges.map((each) => ({ ...each })) };
      return onCommitted({ rows, cursor });
    });
    return reporting;
  };
  const outcomes = await Promise.allSettled(
    ranges
      .filter((range) => !range.done)
      .map(async (range) => {
        try {
          await copyRange(rangeContext, range, (rows, after) => report(range, { after }, rows));
          await report(range, { done: true }, 0);
        } catch (error: unknown) {
          stop.abort();
          throw error;
        }
      }),
  );
  const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
  if (failures.length === 0) return;
  if (context.signal.aborted) throw canceledError(context.signal);
  // The first failure is the cause; the others are the cancels it set off.
  const cause = failures.find(
    (failure) => !(failure.reason instanceof ConnectorError && failure.reason.code === 'canceled'),
  );
  throw (cause ?? failures[0]!).reason;
}
