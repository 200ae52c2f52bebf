// Brings the destination table to what the load needs, as TableOperations (data, so each step is
// logged): create it when missing, add the fields the source gained, then truncate or rebuild when
// the strategy says so. Columns the source lost stay (new rows get null): dropping data is a rebuild.
import type { BulkDestination, TableOperation } from '../../connectors/connector.ts';
import type { RunContext } from '../../domain/run-context.ts';
import type { SchemaMapping } from './schema-mapping.ts';
import type { Preparation } from './schema-strategy.ts';

export async function prepareDestination(
  context: RunContext,
  destination: BulkDestination,
  mapping: SchemaMapping,
  preparation: Preparation,
): Promise<TableOperation[]> {
  const schemaId = mapping.destinationSchemaId;
  const create: TableOperation = {
    kind: 'create_table',
    schemaId,
    fields: mapping.fieldSpecs,
    primaryKey: mapping.destinationPrimaryKey,
  };
  const operations: TableOperation[] = [];
  if (preparation === 'rebuild') {
    operations.push({ kind: 'drop', schemaId, ifExists: true }, create);
  } else {
    const existing = await destination.describeSchema(context, schemaId);
    if (!existing) {
      operations.push(create);
    } else {
      const known = new Set(existing.fields.map((field) => field.id));
      const added = mapping.fieldSpecs.filter((field) => !known.has(field.id));
      if (added.length > 0) operations.push({ kind: 'add_fields', schemaId, fields: added });
      if (preparation === 'truncate') operations.push({ kind: 'truncate', schemaId });
    }
  }
  for (const operation of operations) await destination.apply(context, operation);
  if (preparation === 'delete_snapshot' && mapping.snapshot) {
    const { field, value } = mapping.snapshot;
    await destination.write(context, { schemaId, mode: 'delete', primaryKey: [field], records: [{ [field]: value }] });
  }
  return operations;
}
