// The general path: source.read → map → destination.write, one destination transaction per batch,
// and the checkpoint saved only after that transaction committed. Works between any two connectors.
import type { BulkDestination, BulkSource } from '../../connectors/connector.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { prefetchOne } from './prefetch.ts';
import { mapRows, type SchemaMapping } from './schema-mapping.ts';
import type { SchemaStrategy } from './schema-strategy.ts';

export interface BatchCommitted {
  rows: number;
  /** The last non-null value of the order field so far (the resume point), or undefined when unordered. */
  cursor: unknown;
}

export async function copyRecords(
  context: RunContext,
  source: BulkSource,
  destination: BulkDestination,
  mapping: SchemaMapping,
  strategy: SchemaStrategy,
  batchSize: number,
  onCommitted: (batch: BatchCommitted) => Promise<void>,
  limit?: number,
  sourceSnapshot?: string,
): Promise<void> {
  const orderField = strategy.orderField;
  const cursor =
    orderField === undefined
      ? undefined
      : { field: orderField, after: strategy.after ?? undefined, inclusive: strategy.inclusive };
  const batches = source.read(context, {
    schemaId: mapping.sourceSchemaId,
    fields: mapping.fields.map((field) => field.source.id),
    cursor,
    batchSize,
    ...(limit !== undefined ? { limit } : {}),
    ...(sourceSnapshot !== undefined ? { sourceSnapshot } : {}),
  });
  let position = strategy.after;
  // A table this attempt created or emptied holds no row a batch can conflict with: plain inserts are enough, and
  // the destination can skip its merge (PostgreSQL's COPY goes straight into the table). A resumed attempt upserts.
  const mode = strategy.destinationFresh ? 'insert' : strategy.writeMode;
  const primaryKey = mode === 'upsert' ? mapping.destinationPrimaryKey : undefined;
  for await (const batch of prefetchOne(batches)) {
    if (batch.length === 0) continue;
    await destination.write(context, {
      schemaId: mapping.destinationSchemaId,
      mode,
      primaryKey,
      records: mapRows(mapping, batch),
    });
    if (orderField !== undefined) {
      // Rows with a null order field sort last in PostgreSQL; a null is no position to resume from.
      for (let index = batch.length - 1; index >= 0; index -= 1) {
        const value = batch[index]![orderField];
        if (value !== null && value !== undefined) {
          position = value;
          break;
        }
      }
    }
    await onCommitted({ rows: batch.length, cursor: position });
  }
}
