// One model batch → the records to send, by operation, and the records that need no send. Pure:
// takes how each record compares with the stored state (already diffed) and decides per row from the mode's rule.
import { TargetOperation } from '../../connectors/connector.ts';
import type { Row } from '../../connectors/records.ts';
import type { ModeRule } from './mode-rules.ts';

/** What the state holds for a key, against the record's values now: nothing (never delivered), the same values, or others. */
export type Previous = 'none' | 'same' | 'changed';

export interface Candidate {
  key: string;
  readonly hash: string;
  record: Row;
  /** The target identity fields and values (empty without identity). */
  readonly identity: Row;
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

// Decisions are shared constants: one is made per model row, and most are `unchanged`.
const unchanged: Decision = { kind: 'unchanged' };
const recordOnly: Decision = { kind: 'record_only' };
const leftAlone: Decision = { kind: 'left_alone' };
const sends = new Map<TargetOperation, Decision>(
  Object.values(TargetOperation).map((operation) => [operation, { kind: 'send', operation }]),
);
const send = (operation: TargetOperation): Decision => sends.get(operation)!;

export function decide(candidate: Candidate, { rule, backfillOnly, syncAllRecords }: ClassifyOptions): Decision {
  const { previous } = candidate;
  if (rule.keyedBy === 'none') return send(rule.whenNew);
  if (backfillOnly) return previous === 'same' ? unchanged : recordOnly;
  if (previous === 'none') return send(rule.whenNew);
  if (syncAllRecords) return send(rule.whenChanged ?? rule.whenNew);
  if (previous === 'same') return unchanged;
  return rule.whenChanged ? send(rule.whenChanged) : leftAlone;
}

/** What a delete is sent with: the identity alone, so no other value reaches the target. */
export function recordFor(operation: TargetOperation, candidate: Candidate): Row {
  return operation === 'delete' ? candidate.identity : candidate.record;
}
