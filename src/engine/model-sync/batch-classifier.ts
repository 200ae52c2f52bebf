// One model batch → the records to send, by operation, and the records that need no send. Pure:
// takes how each record compares with the stored state (already diffed) and decides per row from the mode's rule.
import type { TargetOperation } from '../../connectors/connector.ts';
import type { Row } from '../../connectors/records.ts';
import type { ModeRule } from './mode-rules.ts';

/** What the state holds for a key, against the record's values now: nothing (never delivered), the same values, or others. */
export type Previous = 'none' | 'same' | 'changed';

export interface Candidate {
  key: string;
  readonly hash: string;
  record: Row;
  /** The target identity fields and values (empty without identity). */
  identity: Row;
  previous: Previous;
}

export type Decision =
  | { kind: 'send'; operation: TargetOperation }
  /** skip_initial_backfill's first run: the state is recorded, nothing is sent. */
  | { kind: 'record_only' }
  | { kind: 'unchanged' }
  /** Changed, but the mode leaves existing target records alone (create, remove). */
  | { kind: 'left_alone' };

export interface ClassifyOptions {
  rule: ModeRule;
  backfillOnly: boolean;
  syncAllRecords: boolean;
}

export function decide(candidate: Candidate, { rule, backfillOnly, syncAllRecords }: ClassifyOptions): Decision {
  const { previous } = candidate;
  if (rule.keyedBy === 'none') return { kind: 'send', operation: rule.whenNew };
  if (backfillOnly) return previous === 'same' ? { kind: 'unchanged' } : { kind: 'record_only' };
  if (previous === 'none') return { kind: 'send', operation: rule.whenNew };
  if (syncAllRecords) return { kind: 'send', operation: rule.whenChanged ?? rule.whenNew };
  if (previous === 'same') return { kind: 'unchanged' };
  return rule.whenChanged ? { kind: 'send', operation: rule.whenChanged } : { kind: 'left_alone' };
}

/** What a delete is sent with: the identity alone, so no other value reaches the target. */
export function recordFor(operation: TargetOperation, candidate: Candidate): Row {
  return operation === 'delete' ? candidate.identity : candidate.record;
}
