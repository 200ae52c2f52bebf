// How one schema is copied in one attempt, decided from the plan's modes, the table's keys and the
// saved checkpoint. The rules, as a table (docs/bulk-engine.md explains each):
//
// | case                                   | destination before the load         | read                                 | write  |
// |----------------------------------------|-------------------------------------|--------------------------------------|--------|
// | same execution, schema completed       | — (skipped)                         | —                                    | —      |
// | resumed attempt, ordered read          | as left                             | from the checkpoint cursor           | as below, COPY merges |
// | resumed attempt, no order (composite   | as left                             | everything again                     | upsert |
// |   key, no tracking field)              |                                     |                                      |        |
// | replicate, no primary key              | truncate (rebuild: drop + create)   | everything, every run and on resume  | insert |
// | snapshot, no primary key, resumed      | delete this execution's rows        | everything                           | insert |
// | rebuild                                | drop + create from current schema   | everything                           | insert or upsert |
// | resync                                 | truncate                            | everything                           | insert or upsert |
// | refetch, or fetch_mode full            | kept                                | everything                           | upsert |
// | normal / incremental, tracking field,  | kept                                | rows ≥ saved cursor (inclusive:      | upsert |
// |   cursor saved, primary key            |                                     |   tracking fields can repeat)        |        |
//
// Reads are ordered by the tracking field, else by a one-column primary key, so that a checkpoint is
// a position; the data cutoff raises the lower bound of reads ordered by the tracking field.
import type { BulkCheckpoint } from './checkpoint-store.ts';
import type { FetchMode, ResyncMode } from './bulk-sync-plan.ts';
import type { SchemaMapping } from './schema-mapping.ts';

export const Preparation = {
  none: 'none',
  truncate: 'truncate',
  rebuild: 'rebuild',
  /** Snapshot without a key, resumed: remove the partial copy this execution wrote. */
  deleteSnapshot: 'delete_snapshot',
} as const;
export type Preparation = (typeof Preparation)[keyof typeof Preparation];

export interface SchemaStrategy {
  skip: boolean;
  resume: boolean;
  preparation: Preparation;
  /** Source field the read is ordered by (tracking field or one-column key); undefined: unordered. */
  orderField: string | undefined;
  /** Lower bound of the read on `orderField`; undefined: from the start. */
  after: unknown;
  inclusive: boolean;
  incremental: boolean;
  writeMode: 'insert' | 'upsert';
  /** True when the destination holds no row this read can conflict with (COPY may skip the staging merge). */
  destinationFresh: boolean;
  /** Rows counted before this attempt (a resumed attempt continues the count). */
  rowsBefore: number;
  warnings: string[];
}

export interface StrategyInput {
  mapping: SchemaMapping;
  mode: 'replicate' | 'snapshot';
  fetchMode: FetchMode;
  resyncMode: ResyncMode;
  executionId: string;
  checkpoint: BulkCheckpoint | undefined;
  dataCutoffTimestamp: string | undefined;
}

export function decideStrategy(input: StrategyInput): SchemaStrategy {
  const { mapping, checkpoint } = input;
  const warnings: string[] = [];
  const keyed = mapping.primaryKey.length > 0;
  const orderField = mapping.trackingField ?? (mapping.primaryKey.length === 1 ? mapping.primaryKey[0] : undefined);
  const byTracking = orderField !== undefined && orderField === mapping.trackingField;
  const writeMode = keyed ? 'upsert' : 'insert';
  const base = { orderField, writeMode, warnings, skip: false, incremental: false } as const;
  const sameExecution = checkpoint?.executionId === input.executionId;

  if (sameExecution && checkpoint.phase === 'completed') {
    return {
      ...base,
      skip: true,
      resume: false,
      preparation: 'none',
      after: undefined,
      inclusive: false,
      destinationFresh: false,
      rowsBefore: checkpoint.rows,
    };
  }
  if (input.mode === 'snapshot' && input.fetchMode === 'incremental')
    warnings.push('Snapshot mode copies every row; fetch_mode incremental is ignored');
  if (input.fetchMode === 'incremental' && !mapping.trackingField)
    warnings.push('No tracking field: every row is read');
  if (input.dataCutoffTimestamp && !mapping.trackingField)
    warnings.push('data_cutoff_timestamp needs a tracking field; it is ignored');

  let strategy: SchemaStrategy;
  if (sameExecution && checkpoint.phase === 'loading') {
    if (!keyed) {
      // Without a key a replayed row cannot be recognised, so the partial copy is removed and redone.
      const preparation = input.mode === 'snapshot' ? 'delete_snapshot' : 'truncate';
      strategy = {
        ...base,
        resume: true,
        preparation,
        after: undefined,
        inclusive: false,
        destinationFresh: true,
        rowsBefore: 0,
      };
    } else if (
      orderField !== undefined &&
      checkpoint.cursorField === orderField &&
      checkpoint.cursor !== null &&
      checkpoint.cursor !== undefined
    ) {
      strategy = {
        ...base,
        resume: true,
        preparation: 'none',
        after: checkpoint.cursor,
        inclusive: byTracking,
        destinationFresh: false,
        rowsBefore: checkpoint.rows,
      };
    } else {
      strategy = {
        ...base,
        resume: true,
        preparation: 'none',
        after: undefined,
        inclusive: false,
        destinationFresh: false,
        rowsBefore: 0,
      };
    }
  } else {
    const preparation: SchemaStrategy['preparation'] =
      input.resyncMode === 'rebuild'
        ? 'rebuild'
        : input.resyncMode === 'resync' || (input.mode === 'replicate' && !keyed)
          ? 'truncate'
          : 'none';
    if (input.mode === 'replicate' && !keyed && input.resyncMode !== 'rebuild')
      warnings.push('No primary key: the table is truncated and reloaded in full');
    const canContinue =
      input.mode === 'replicate' &&
      keyed &&
      byTracking &&
      input.fetchMode !== 'full' &&
      input.resyncMode === 'normal' &&
      checkpoint?.cursorField === orderField &&
      checkpoint.cursor !== null &&
      checkpoint.cursor !== undefined;
    strategy = {
      ...base,
      incremental: canContinue,
      resume: false,
      preparation,
      after: canContinue ? checkpoint!.cursor : undefined,
      inclusive: canContinue,
      // A snapshot row carries this execution's timestamp, so it cannot conflict with an older copy.
      destinationFresh: preparation !== 'none' || input.mode === 'snapshot',
      rowsBefore: 0,
    };
  }
  return applyCutoff(strategy, byTracking ? input.dataCutoffTimestamp : undefined);
}

/** Raises the read's lower bound to the cutoff when the cutoff is later (compared as instants). */
function applyCutoff(strategy: SchemaStrategy, cutoff: string | undefined): SchemaStrategy {
  if (!cutoff) return strategy;
  const cutoffTime = Date.parse(cutoff);
  if (Number.isNaN(cutoffTime)) {
    return {
      ...strategy,
      warnings: [...strategy.warnings, `data_cutoff_timestamp "${cutoff}" is not a timestamp; it is ignored`],
    };
  }
  const afterTime = typeof strategy.after === 'string' ? Date.parse(strategy.after) : Number.NaN;
  if (strategy.after === undefined || (!Number.isNaN(afterTime) && afterTime < cutoffTime)) {
    return { ...strategy, after: cutoff, inclusive: true };
  }
  return strategy;
}
