// The model fields a plan reads: the identity's, the mapped fields', and those its filters and overrides test. The
// run asks the source for these columns only, so a wide model (a `select *`) costs what the sync maps, not what the
// model holds: every column read is parsed, converted and kept by the driver for each row.
import type { ModelSyncPlan } from './model-sync-plan.ts';

export function modelFieldsRead(plan: ModelSyncPlan): Set<string> {
  const fields = new Set<string>();
  if (plan.identity) fields.add(plan.identity.source.field);
  for (const field of [...plan.fields, ...(plan.override_fields ?? [])])
    if (field.source && field.override_value === undefined) fields.add(field.source.field);
  // A Target filter tests a mapped value, whose model field is already in; a Model filter names its own.
  for (const filter of plan.filters ?? []) {
    if (filter.field_type === 'Target') continue;
    const field = filter.field?.field ?? filter.field_id;
    if (field) fields.add(field);
  }
  for (const override of plan.overrides ?? []) {
    const field = override.field?.field ?? override.field_id;
    if (field) fields.add(field);
  }
  return fields;
}
