// Applies one batch of changes to the destination: per schema, the collapsed steps (change-collapse.ts) through the
// destination's own write (upsert, delete, insert) and apply (truncate, add_fields). Each write is one destination
// transaction, so a crash can leave part of a batch committed; the stream then replays the batch from the last
// stored position, and because every step is idempotent by key the destination converges.
import type { Change, ChangeBatch } from '../../connectors/change-capture.ts';
import type { BulkDestination, TableOperation } from '../../connectors/connector.ts';
import type { Row, SchemaDescription } from '../../connectors/records.ts';
import type { RunContext } from '../../domain/run-context.ts';
import { collapseChanges, type ChangeStep } from './change-collapse.ts';
import { mapSchema, type MappingOptions, type SchemaMapping } from './schema-mapping.ts';
import type { BulkSchemaPlan } from './bulk-sync-plan.ts';

/** What the stream knows of one schema: its plan, its current mapping, and what the source described. */
export interface StreamedSchema {
  plan: BulkSchemaPlan;
  described: SchemaDescription;
  mapping: SchemaMapping;
}

export interface AppliedCounts {
  changes: number;
  upserts: number;
  deletes: number;
  /** Per source schema id: changes applied. */
  bySchema: Map<string, number>;
  /** Destination operations run for truncates and new fields, for the console log. */
  operations: TableOperation[];
}

/** Source row → destination row with only the fields the row carries (absent ones are left to the destination). */
function mapPresent(mapping: SchemaMapping, row: Row): Row {
  const mapped: Row = {};
  for (const field of mapping.fields) if (field.source.id in row) mapped[field.destinationId] = row[field.source.id];
  return mapped;
}

export async function applyChangeBatch(
  context: RunContext,
  destination: BulkDestination,
  schemas: Map<string, StreamedSchema>,
  batch: ChangeBatch,
  mappingOptions: MappingOptions,
): Promise<AppliedCounts> {
  const counts: AppliedCounts = { changes: 0, upserts: 0, deletes: 0, bySchema: new Map(), operations: [] };
  const bySchema = new Map<string, Change[]>();
  for (const change of batch.changes) {
    // Changes of tables the sync does not select (a shared publication) are not the sync's.
    if (!schemas.has(change.schemaId)) continue;
    const list = bySchema.get(change.schemaId);
    if (list) list.push(change);
    else bySchema.set(change.schemaId, [change]);
    // A Relation message (schema) is the log describing a table, not a change of its data.
    if (change.kind === 'schema') continue;
    counts.changes += 1;
    if (change.kind === 'upsert') counts.upserts += 1;
    if (change.kind === 'delete') counts.deletes += 1;
    counts.bySchema.set(change.schemaId, (counts.bySchema.get(change.schemaId) ?? 0) + 1);
  }
  for (const [schemaId, changes] of bySchema) {
    const schema = schemas.get(schemaId)!;
    for (const step of collapseChanges(changes, schema.mapping.primaryKey)) {
      context.signal.throwIfAborted();
      const operation = await applyStep(context, destination, schema, step, mappingOptions);
      if (operation) counts.operations.push(operation);
    }
  }
  return counts;
}

async function applyStep(
  context: RunContext,
  destination: BulkDestination,
  schema: StreamedSchema,
  step: ChangeStep,
  mappingOptions: MappingOptions,
): Promise<TableOperation | undefined> {
  const { mapping } = schema;
  const schemaId = mapping.destinationSchemaId;
  switch (step.kind) {
    case 'upsert':
    case 'insert': {
      const records = step.rows.map((row) => mapPresent(mapping, row));
      if (records.length === 0 || Object.keys(records[0]!).length === 0) return undefined;
      await destination.write(context, {
        schemaId,
        mode: step.kind,
        ...(step.kind === 'upsert' ? { primaryKey: mapping.destinationPrimaryKey } : {}),
        records,
      });
      return undefined;
    }
    case 'delete': {
      const keyed = mapping.primaryKey.length > 0;
      // Without a key the whole row identifies it (the source's REPLICA IDENTITY FULL): every mapped field it has.
      const records = step.keys.map((key) => mapPresent(mapping, key));
      const groups = new Map<string, Row[]>();
      for (const record of records) {
        const signature = JSON.stringify(Object.keys(record).sort());
        groups.set(signature, [...(groups.get(signature) ?? []), record]);
      }
      for (const group of groups.values()) {
        const primaryKey = keyed ? mapping.destinationPrimaryKey : Object.keys(group[0]!);
        if (primaryKey.length === 0) continue;
        await destination.write(context, { schemaId, mode: 'delete', primaryKey, records: group });
      }
      return undefined;
    }
    case 'truncate': {
      const operation: TableOperation = { kind: 'truncate', schemaId };
      await destination.apply(context, operation);
      return operation;
    }
    case 'schema': {
      const described: SchemaDescription = { ...schema.described, fields: step.fields };
      const next = mapSchema(described, schema.plan, mappingOptions);
      const known = new Set(mapping.fieldSpecs.map((field) => field.id));
      const added = next.fieldSpecs.filter((field) => !known.has(field.id));
      schema.described = described;
      // Fields the source dropped stay mapped: their destination columns are kept, as in a table copy.
      schema.mapping = {
        ...next,
        fields: [...mapping.fields, ...next.fields.filter((field) => !known.has(field.destinationId))],
        fieldSpecs: [...mapping.fieldSpecs, ...added],
      };
      if (added.length === 0) return undefined;
      const operation: TableOperation = { kind: 'add_fields', schemaId, fields: added };
      await destination.apply(context, operation);
      return operation;
    }
  }
}
