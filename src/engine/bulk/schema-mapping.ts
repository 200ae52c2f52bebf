// From a source schema and its plan to what the destination gets: which source fields, under which
// destination names, with which types, keyed how. Pure: no I/O, so each rule is unit-tested.
import type { FieldDescription, FieldSpec, Row, SchemaDescription } from '../../connectors/records.ts';
import { SyncError } from '../sync-error.ts';
import {
  snapshotTimestampField,
  type BulkSchemaPlan,
  type BulkSyncMode,
  type NormalizeNames,
} from './bulk-sync-plan.ts';
import { defaultOutputName, uniqueNames } from './name-normalization.ts';

interface FieldMapping {
  source: FieldDescription;
  /** The destination column name. */
  destinationId: string;
}

export interface SchemaMapping {
  sourceSchemaId: string;
  /** `<namespace>.<output name>` or the bare output name. */
  destinationSchemaId: string;
  outputName: string;
  fields: FieldMapping[];
  /** Source field ids. */
  primaryKey: string[];
  /** Destination column names; in snapshot mode the execution timestamp joins a non-empty key. */
  destinationPrimaryKey: string[];
  trackingField: string | undefined;
  /** What create_table and add_fields receive, snapshot column included. */
  fieldSpecs: FieldSpec[];
  /** The snapshot column and its value, in snapshot mode. */
  snapshot: { field: string; value: string } | undefined;
  /** True when rows need no renaming and no extra column (the row objects are passed through). */
  identity: boolean;
}

export interface MappingOptions {
  mode: BulkSyncMode;
  normalizeNames: NormalizeNames;
  destinationNamespace: string | undefined;
  /** The connection type of the source, so a same-type destination keeps native types. */
  sourceDialect: string;
  executionTimestamp: string;
}

export function mapSchema(source: SchemaDescription, plan: BulkSchemaPlan, options: MappingOptions): SchemaMapping {
  const byId = new Map(source.fields.map((field) => [field.id, field]));
  const primaryKey = plan.primaryKey ?? source.fields.filter((field) => field.is_primary_key).map((field) => field.id);
  const required = [...primaryKey, ...(plan.trackingField ? [plan.trackingField] : [])];
  const missing = [...(plan.fields ?? []), ...required].filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new SyncError(`${plan.schemaId}: no field ${missing.map((id) => `"${id}"`).join(', ')} in the source`, {
      code: 'invalid_plan',
    });
  }
  // Names are made unique over every source field in source order, so a field's destination name does
  // not change when the selection does. Key and tracking fields are always copied: upserts and cursors need them.
  const unique = uniqueNames(
    source.fields.map((field) => field.id),
    options.normalizeNames,
  );
  const names = new Map(source.fields.map((field, index) => [field.id, unique[index]!]));
  const selected = plan.fields ? new Set([...plan.fields, ...required]) : undefined;
  const fields = source.fields
    .filter((field) => !selected || selected.has(field.id))
    .map((field) => ({ source: field, destinationId: names.get(field.id)! }));
  const outputName = plan.outputName ?? defaultOutputName(plan.schemaId, options.normalizeNames);
  const snapshot =
    options.mode === 'snapshot' ? { field: snapshotTimestampField, value: options.executionTimestamp } : undefined;
  const fieldSpecs: FieldSpec[] = fields.map(({ source: field, destinationId }) => ({
    id: destinationId,
    type: field.type,
    remote_type: field.remote_type,
    remote_dialect: options.sourceDialect,
  }));
  // An instant with no source type: every destination creates its zoned timestamp for a bare `datetime`
  // (PostgreSQL timestamptz, which keeps the COPY path binary), so the engine names no dialect here.
  if (snapshot) fieldSpecs.push({ id: snapshot.field, type: 'datetime' });
  const destinationPrimaryKey = primaryKey.map((id) => names.get(id)!);
  if (snapshot && destinationPrimaryKey.length > 0) destinationPrimaryKey.push(snapshot.field);
  return {
    sourceSchemaId: plan.schemaId,
    destinationSchemaId: options.destinationNamespace ? `${options.destinationNamespace}.${outputName}` : outputName,
    outputName,
    fields,
    primaryKey,
    destinationPrimaryKey,
    trackingField: plan.trackingField,
    fieldSpecs,
    snapshot,
    identity: !snapshot && fields.every((field) => field.source.id === field.destinationId),
  };
}

/** Source rows → destination rows (renamed, snapshot column added); the same objects when nothing changes. */
export function mapRows(mapping: SchemaMapping, rows: Row[]): Row[] {
  if (mapping.identity) return rows;
  return rows.map((row) => {
    const mapped: Row = {};
    for (const field of mapping.fields) mapped[field.destinationId] = row[field.source.id] ?? null;
    if (mapping.snapshot) mapped[mapping.snapshot.field] = mapping.snapshot.value;
    return mapped;
  });
}
