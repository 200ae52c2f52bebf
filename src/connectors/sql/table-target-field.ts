// A SQL table's column as a model-sync target field: every column can be written and used as identity.
import type { FieldDescription, TargetField } from '../connector.ts';

export function tableColumnAsTargetField(field: FieldDescription): TargetField {
  return {
    id: field.id,
    name: field.name,
    type: field.type,
    source_type: field.remote_type,
    required: !field.nullable,
    createable: true,
    updateable: true,
    supports_identity: true,
  };
}
