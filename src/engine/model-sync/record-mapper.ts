// Model row → target record: field mappings, constant override fields, then conditional overrides.
// The identity's target field always carries the model's identity value, because targets match on it.
import type { Row } from '../../connectors/records.ts';
import { filterPredicates } from './filter-functions.ts';
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
