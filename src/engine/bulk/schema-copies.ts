// Copies the plan's schemas, up to `concurrency` at a time, each through copySchema. Used by a table-scan run and by
// the initial snapshot of a change-capture run (where every read happens inside the source's snapshot).
import type { BulkDestination, BulkSource } from '../../connectors/connector.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { bulkPlanDefaults, type BulkSyncPlan } from './bulk-sync-plan.ts';
import { copySchema, type SchemaCopyDependencies } from './schema-copy.ts';
import type { SchemaExecution } from './schema-execution.ts';

export async function copySchemas(
  context: RunContext,
  plan: BulkSyncPlan,
  source: BulkSource,
  destination: BulkDestination,
  executions: SchemaExecution[],
  dependencies: SchemaCopyDependencies,
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(plan.concurrency ?? bulkPlanDefaults.concurrency));
  let next = 0;
  const worker = async () => {
    while (next < plan.schemas.length && !context.signal.aborted) {
      const index = next++;
      await copySchema(context, plan, plan.schemas[index]!, source, destination, executions[index]!, dependencies);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.schemas.length) }, worker));
}
