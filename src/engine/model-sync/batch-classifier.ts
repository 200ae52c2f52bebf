// One model batch → the records to send, by operation, and the records that need no send. Pure:
// takes the batch's stored state (already looked up) and decides per row from the mode's rule.
import type { TargetOperation } from '../../connectors/connector.ts';
import type { Row } from '../../connectors/records.ts';
import type { ModeRule } from './mode-rules.ts';

export interface Candidate {
  key: string;
  hash: string;
  record: Row;
  /** The target identity fields and values (empty without identity). */
  identity: Row;
  /** The hash the state holds for the key (last delivered values); undefined for a key never delivered. */
  stored: string | undefined;
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
  const { stored } = candidate;
  if (rule.keyedBy === 'none') return { kind: 'send', operation: rule.whenNew };
  if (backfillOnly) return stored === candidate.hash ? { kind: 'unchanged' } : { kind: 'record_only' };
  if (!stored) return { kind: 'send', operation: rule.whenNew };
  if (syncAllRecords) return { kind: 'send', operation: rule.whenChanged ?? rule.whenNew };
  if (stored === candidate.hash) return { kind: 'unchanged' };
  return rule.whenChanged ? { kind: 'send', operation: rule.whenChanged } : { kind: 'left_alone' };
}

/** What a delete is sent with: the identity alone, so no other value reaches the target. */
export function recordFor(operation: TargetOperation, candidate: Candidate): Row {
  return operation === 'delete' ? candidate.identity : candidate.record;
}
