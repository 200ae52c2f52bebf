// The shared suite every connector runs (Hono's router suite idea): one function, one harness per
// connector. A capability a connector does not declare is skipped with the reason.
import { after, before, describe } from 'node:test';
import type { ConformanceHarness, HarnessSession } from './harness.ts';
import { connectionCases } from './connection-cases.ts';
import { bulkSourceCases } from './bulk-source-cases.ts';
import { bulkDestinationCases } from './bulk-destination-cases.ts';
import { cancelCases } from './cancel-cases.ts';
import { typeRoundTripCases } from './type-round-trip-cases.ts';
import { modelCases } from './model-cases.ts';
import { modelTargetBatchCases } from './model-target-batch-cases.ts';

export type SessionGetter = () => HarnessSession;

export async function runConnectorConformance(harness: ConformanceHarness): Promise<void> {
  const unavailable = await harness.unavailable();
  describe(`${harness.name} connector conformance`, { skip: unavailable }, () => {
    let session: HarnessSession | undefined;
    before(async () => {
      session = await harness.open();
    });
    after(async () => {
      await session?.close();
    });
    const get: SessionGetter = () => {
      if (!session) throw new Error('harness session not open');
      return session;
    };
    connectionCases(get);
    bulkSourceCases(get);
    bulkDestinationCases(get);
    cancelCases(get);
    typeRoundTripCases(get);
    modelCases(get);
    modelTargetBatchCases(get);
  });
}
