// Sends one group of records with one operation and sorts the outcome per record: accepted,
// rejected (error log, counted, the run goes on) or, where the mode says so, a warning. The caller
// commits state for the accepted records only, right after this returns (see docs/model-sync-engine.md
// "Delivery and state": a crash between the two re-sends this group next run).
import type { ModelTarget, RecordRejection, TargetOperation } from '../../connectors/connector.ts';
import type { Row } from '../../connectors/records.ts';
import type { RunContext } from '../run-context.ts';
import type { ModeRule } from './mode-rules.ts';

export interface DeliveryOutcome<Item> {
  accepted: Item[];
  rejected: { item: Item; rejection: RecordRejection }[];
  warned: { item: Item; rejection: RecordRejection }[];
}

export async function deliver<Item>(
  context: RunContext,
  target: ModelTarget,
  request: { objectId: string; operation: TargetOperation; identity: string[]; rule: ModeRule },
  items: Item[],
  recordOf: (item: Item) => Row,
): Promise<DeliveryOutcome<Item>> {
  const outcome: DeliveryOutcome<Item> = { accepted: [], rejected: [], warned: [] };
  if (items.length === 0) return outcome;
  const result = await target.write(context, {
    objectId: request.objectId,
    operation: request.operation,
    identity: request.identity,
    records: items.map(recordOf),
  });
  const rejections = new Map<number, RecordRejection>();
  for (const rejection of result.rejected) rejections.set(rejection.index, rejection);
  items.forEach((item, index) => {
    const rejection = rejections.get(index);
    if (!rejection) return outcome.accepted.push(item);
    if (rejection.code === 'record_not_found' && request.rule.notFound === 'accepted') return outcome.accepted.push(item);
    if (rejection.code === 'record_not_found' && request.rule.notFound === 'warning') return outcome.warned.push({ item, rejection });
    outcome.rejected.push({ item, rejection });
  });
  return outcome;
}
