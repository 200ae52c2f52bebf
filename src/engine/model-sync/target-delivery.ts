// Sends one group of records with one operation and sorts the outcome per record: accepted,
// rejected (error log, counted, the run goes on) or, where the mode says so, a warning. The caller
// commits state for the accepted records only, right after this returns (see docs/model-sync-engine.md
// "Delivery and state": a crash between the two re-sends this group next run).
import type { ModelTarget, RecordRejection, TargetOperation, TargetWriteResult } from '../../connectors/connector.ts';
import { ConnectorError } from '../../connectors/connector-error.ts';
import type { Row } from '../../connectors/records.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { ModeRule } from './mode-rules.ts';

const batchRejectionCodes = new Set<string>(['invalid_data', 'constraint_violation']);

export interface DeliveryOutcome<Item> {
  accepted: Item[];
  rejected: { item: Item; rejection: RecordRejection }[];
  warned: { item: Item; rejection: RecordRejection }[];
}

export async function deliver<Item>(
  context: RunContext,
  target: ModelTarget,
  request: {
    objectId: string;
    operation: TargetOperation;
    identity: string[];
    rule: ModeRule;
    sync?: { id: string; name: string };
  },
  items: Item[],
  recordOf: (item: Item) => Row,
): Promise<DeliveryOutcome<Item>> {
  const outcome: DeliveryOutcome<Item> = { accepted: [], rejected: [], warned: [] };
  if (items.length === 0) return outcome;
  const records = items.map(recordOf);
  let result: TargetWriteResult;
  try {
    result = await target.write(context, {
      objectId: request.objectId,
      operation: request.operation,
      identity: request.identity,
      records,
      ...(request.sync ? { sync: request.sync } : {}),
    });
  } catch (error: unknown) {
    // A target that judges whole batches (a webhook answering 400) refuses the data, not the run:
    // every record of the batch is rejected and the run goes on. Anything else is systemic.
    if (!(error instanceof ConnectorError) || !batchRejectionCodes.has(error.code)) throw error;
    result = {
      inserted: 0,
      updated: 0,
      deleted: 0,
      rejected: records.map((record, index) => ({ index, record, code: error.code, message: error.message })),
    };
  }
  const rejections = new Map<number, RecordRejection>();
  for (const rejection of result.rejected) rejections.set(rejection.index, rejection);
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const rejection = rejections.get(index);
    if (!rejection) outcome.accepted.push(item);
    else if (rejection.code === 'record_not_found' && request.rule.notFound === 'accepted') outcome.accepted.push(item);
    else if (rejection.code === 'record_not_found' && request.rule.notFound === 'warning')
      outcome.warned.push({ item, rejection });
    else outcome.rejected.push({ item, rejection });
  }
  return outcome;
}
