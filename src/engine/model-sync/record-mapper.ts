// Model row → target record: field mappings, constant override fields, then conditional overrides.
// The identity's target field always carries the model's identity value, because targets match on it.
import type { Row } from '../../connectors/records.ts';
import { filterPredicates } from './filter-functions.ts';
import { canonicalJson, valueJson } from './record-hash.ts';
import type { ModelSyncPlan, Override, SyncField } from './model-sync-plan.ts';

export type RecordMapper = (row: Row) => Row;

interface CompiledOverride {
  modelField: string;
  test: (value: unknown) => boolean;
  replacement: unknown;
  targets: string[];
}

function modelFieldOf(reference: Pick<Override, 'field' | 'field_id'>): string | undefined {
  return reference.field?.field ?? reference.field_id;
}

export function compileRecordMapper(plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>, now: Date): RecordMapper {
  const mapped: SyncField[] = [...plan.fields, ...(plan.override_fields ?? [])];
  const overrides: CompiledOverride[] = (plan.overrides ?? []).flatMap((override) => {
    const modelField = modelFieldOf(override);
    if (modelField === undefined) return [];
    const predicate = override.function ? filterPredicates[override.function] : undefined;
    const targets = plan.fields.filter((field) => field.override_value === undefined && field.source?.field === modelField).map((field) => field.target);
    return [{ modelField, replacement: override.override ?? null, targets, test: (value: unknown) => (predicate ? predicate(value, override.value, now) : true) }];
  });
  const identity = plan.identity;
  return (row) => {
    const record: Row = {};
    if (identity) record[identity.target] = row[identity.source.field] ?? null;
    for (const field of mapped) {
      if (field.override_value !== undefined) record[field.target] = field.override_value;
      else if (field.source) record[field.target] = row[field.source.field] ?? null;
    }
    for (const override of overrides) {
      if (override.test(row[override.modelField])) for (const target of override.targets) record[target] = override.replacement;
    }
    return record;
  };
}

/**
 * recordJson(map(row)) without building the record: the canonical JSON of the mapped record, straight from the model
 * row. Every row of every run is serialized (its diff and its records-log line), and most never need the record
 * object, so this is the hot path's serializer. Undefined for a plan with overrides, whose values depend on the row.
 */
export function compileRecordJson(plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>): ((row: Row) => string) | undefined {
  if ((plan.overrides ?? []).length > 0) return undefined;
  // What the mapper assigns, in its order; a later assignment to a target overwrites an earlier one.
  const assigned = new Map<string, { source: string } | { json: string }>();
  if (plan.identity) assigned.set(plan.identity.target, { source: plan.identity.source.field });
  for (const field of [...plan.fields, ...(plan.override_fields ?? [])]) {
    if (field.override_value !== undefined) assigned.set(field.target, { json: canonicalJson(field.override_value) });
    else if (field.source) assigned.set(field.target, { source: field.source.field });
  }
  // The mapper's record would take "__proto__" as its prototype, not as a key: leave such a plan to it.
  if (assigned.has('__proto__')) return undefined;
  // recordJson's order and separators: keys sorted by code unit, each as `,"key":` but the first.
  const parts = [...assigned.keys()].sort().map((target, index) => ({ prefix: `${index === 0 ? '' : ','}${JSON.stringify(target)}:`, value: assigned.get(target)! }));
  const sources = parts.map(({ value }) => ('source' in value ? value.source : undefined));
  const constants = parts.map(({ prefix, value }) => prefix + ('json' in value ? value.json : ''));
  return (row) => {
    let json = '{';
    for (let index = 0; index < constants.length; index += 1) {
      const source = sources[index];
      json += source === undefined ? constants[index] : constants[index] + valueJson(row[source] ?? null);
    }
    return `${json}}`;
  };
}
