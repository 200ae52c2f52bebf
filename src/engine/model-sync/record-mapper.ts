// Model row → target record: field mappings, constant override fields, then conditional overrides.
// The identity's target field always carries the model's identity value, because targets match on it.
import type { Row } from '../../connectors/records.ts';
import { filterPredicates } from './filter-functions.ts';
import { canonicalJson, isPlainText, valueJson } from './record-hash.ts';
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

export function compileRecordMapper(
  plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>,
  now: Date,
): RecordMapper {
  const mapped: SyncField[] = [...plan.fields, ...(plan.override_fields ?? [])];
  const overrides: CompiledOverride[] = (plan.overrides ?? []).flatMap((override) => {
    const modelField = modelFieldOf(override);
    if (modelField === undefined) return [];
    const predicate = override.function ? filterPredicates[override.function] : undefined;
    const targets = plan.fields
      .filter((field) => field.override_value === undefined && field.source?.field === modelField)
      .map((field) => field.target);
    return [
      {
        modelField,
        replacement: override.override ?? null,
        targets,
        test: (value: unknown) => (predicate ? predicate(value, override.value, now) : true),
      },
    ];
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
      if (override.test(row[override.modelField]))
        for (const target of override.targets) record[target] = override.replacement;
    }
    return record;
  };
}

type Assignment = { source: string } | { json: string };

/**
 * What the mapped record holds, per target in recordJson's order: the `,"key":` text in front of each value (with the
 * value's JSON too for a constant), and the model field a value comes from. Undefined for a plan with overrides, whose
 * values depend on the row, or with a "__proto__" target, which the mapper's record takes as its prototype.
 */
function recordLayout(
  plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>,
): { fronts: string[]; sources: Array<string | undefined> } | undefined {
  if ((plan.overrides ?? []).length > 0) return undefined;
  // What the mapper assigns, in its order; a later assignment to a target overwrites an earlier one.
  const assigned = new Map<string, Assignment>();
  if (plan.identity) assigned.set(plan.identity.target, { source: plan.identity.source.field });
  for (const field of [...plan.fields, ...(plan.override_fields ?? [])]) {
    if (field.override_value !== undefined) assigned.set(field.target, { json: canonicalJson(field.override_value) });
    else if (field.source) assigned.set(field.target, { source: field.source.field });
  }
  if (assigned.has('__proto__')) return undefined;
  // recordJson's order and separators: keys sorted by code unit, each as `,"key":` but the first.
  const targets = [...assigned.keys()].sort();
  const fronts = targets.map((target, index) => {
    const value = assigned.get(target)!;
    return `${index === 0 ? '' : ','}${JSON.stringify(target)}:${'json' in value ? value.json : ''}`;
  });
  const sources = targets.map((target) => {
    const value = assigned.get(target)!;
    return 'source' in value ? value.source : undefined;
  });
  return { fronts, sources };
}

/**
 * recordJson(map(row)) without building the record: the canonical JSON of the mapped record, straight from the model
 * row. Undefined where recordLayout is.
 */
export function compileRecordJson(
  plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>,
): ((row: Row) => string) | undefined {
  const layout = recordLayout(plan);
  if (!layout) return undefined;
  const { fronts, sources } = layout;
  return (row) => {
    let json = '{';
    for (let index = 0; index < fronts.length; index += 1) {
      const source = sources[index];
      json += source === undefined ? fronts[index] : fronts[index] + valueJson(row[source] ?? null);
    }
    return `${json}}`;
  };
}

/**
 * compileRecordJson(plan)(row) === json, without making the JSON: the text is walked piece by piece, and a plain
 * string value is compared where it stands. Every unchanged row of every run is checked this way against the JSON the
 * state cache keeps, so it allocates nothing for text. Undefined where recordLayout is.
 */
export function compileRecordMatcher(
  plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>,
): ((row: Row, json: string) => boolean) | undefined {
  const layout = recordLayout(plan);
  if (!layout) return undefined;
  const { fronts, sources } = layout;
  return (row, json) => {
    if (json.charCodeAt(0) !== 0x7b) return false;
    let at = 1;
    for (let index = 0; index < fronts.length; index += 1) {
      const front = fronts[index]!;
      if (!json.startsWith(front, at)) return false;
      at += front.length;
      const source = sources[index];
      if (source === undefined) continue;
      const value = row[source] ?? null;
      if (typeof value === 'string' && isPlainText(value)) {
        // valueJson would be the text in quotes.
        if (
          json.charCodeAt(at) !== 0x22 ||
          !json.startsWith(value, at + 1) ||
          json.charCodeAt(at + 1 + value.length) !== 0x22
        )
          return false;
        at += value.length + 2;
      } else {
        const text = valueJson(value);
        if (!json.startsWith(text, at)) return false;
        at += text.length;
      }
    }
    return at === json.length - 1 && json.charCodeAt(at) === 0x7d;
  };
}

/**
 * The model fields a record's values and its identity key come from (recordLayout's order, constants left out, then
 * the identity's field if no value comes from it), and a signature of the layout and the identity: what a RowMemo's
 * values are taken by (state-cache.ts). Equal values in these fields make the same record and key. Undefined where
 * recordLayout is.
 */
export function recordValueSources(
  plan: Pick<ModelSyncPlan, 'fields' | 'override_fields' | 'overrides' | 'identity'>,
): { sources: string[]; signature: string } | undefined {
  const layout = recordLayout(plan);
  if (!layout) return undefined;
  const sources = layout.sources.filter((source): source is string => source !== undefined);
  // The key is the identity's model value: a mapping may overwrite the identity's target, so it is compared too.
  if (plan.identity && !sources.includes(plan.identity.source.field)) sources.push(plan.identity.source.field);
  return { sources, signature: JSON.stringify([layout.fronts, layout.sources, plan.identity ?? null]) };
}
