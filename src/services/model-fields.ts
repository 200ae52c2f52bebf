// A model's fields: the ones detected by running its SQL, narrowed by `fields`, plus the user-added
// `additional_fields`, with the identifier marked unique. Field timestamps survive updates by field id.
import { unprocessableField } from '../domain/domain-error.ts';
import { UtilFieldType } from '../connectors/records.ts';
import type { ModelField } from './model-record.ts';

/** A field as GET …/modelsync/source/fields describes it (no timestamps yet). */
export type DetectedField = Omit<ModelField, 'created_at' | 'updated_at'>;

/** ModelModelFieldRequest. */
export interface AdditionalFieldInput {
  name: string;
  label: string;
  type: string;
  example?: string;
}

export interface FieldSelection {
  fields?: string[];
  additional_fields?: AdditionalFieldInput[];
  identifier?: string;
  tracking_columns?: string[];
}

const fieldTypes = new Set<string>(Object.values(UtilFieldType));

function findField(fields: DetectedField[], name: string): DetectedField | undefined {
  return fields.find((field) => field.id === name) ?? fields.find((field) => field.name === name);
}

/** The model's fields and its identifier's field id; every name that matches nothing is an unprocessable error naming it. */
export function modelFields(
  detected: DetectedField[],
  selection: FieldSelection,
  previous: ModelField[],
  now: string,
): { fields: ModelField[]; identifier: string | null } {
  const chosen = selection.fields
    ? selection.fields.map((name, index) => {
        const field = findField(detected, name);
        if (!field)
          throw unprocessableField(
            `fields[${index}]`,
            `the model's SQL yields no field "${name}" (it yields ${detected.map((candidate) => candidate.id).join(', ') || 'none'})`,
          );
        return field;
      })
    : detected;
  const added = (selection.additional_fields ?? []).map((input, index): DetectedField => {
    if (!fieldTypes.has(input.type))
      throw unprocessableField(`additional_fields[${index}].type`, `must be one of ${[...fieldTypes].join(', ')}`);
    if (findField(detected, input.name))
      throw unprocessableField(
        `additional_fields[${index}].name`,
        `"${input.name}" is already a field of the model's SQL`,
      );
    return {
      id: input.name,
      name: input.name,
      label: input.label,
      type: input.type,
      remote_type: '',
      unique: false,
      user_added: true,
      ...(input.example !== undefined ? { example: input.example } : {}),
    };
  });
  const all = [...chosen, ...added];
  let identifier: string | null = null;
  if (selection.identifier) {
    const field = findField(all, selection.identifier);
    if (!field)
      throw unprocessableField(
        'identifier',
        `must name one of the model's fields (${all.map((candidate) => candidate.id).join(', ') || 'none'}), not "${selection.identifier}"`,
      );
    identifier = field.id;
  }
  (selection.tracking_columns ?? []).forEach((name, index) => {
    if (!findField(all, name))
      throw unprocessableField(`tracking_columns[${index}]`, `"${name}" is not a field of the model`);
  });
  const before = new Map(previous.map((field) => [field.id, field]));
  const fields = all.map((field) => {
    const kept = before.get(field.id);
    const changed =
      !kept || kept.type !== field.type || kept.remote_type !== field.remote_type || kept.label !== field.label;
    return {
      ...field,
      unique: field.unique || field.id === identifier,
      created_at: kept?.created_at ?? now,
      updated_at: changed ? now : kept.updated_at,
    };
  });
  return { fields, identifier };
}
