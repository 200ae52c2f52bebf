// Models → ModelResponse (same shape in every version).
import type { Model } from '../../../services/model-record.ts';

type ModelLike = Omit<Model, 'id' | 'created_by' | 'updated_by'> & {
  id?: string;
  created_by?: string | null;
  updated_by?: string | null;
};

export function modelToWire(model: ModelLike) {
  const { labels, ...settings } = model.settings;
  return {
    ...(model.id ? { id: model.id } : {}),
    organization_id: model.organization_id,
    name: model.name,
    connection_id: model.connection_id,
    type: model.type,
    configuration: model.configuration,
    ...(model.identifier ? { identifier: model.identifier } : {}),
    fields: model.fields,
    // LabelLabel is an open object in the spec; a request's label names come back as {name}.
    labels: (labels ?? []).map((name) => ({ name })),
    tracking_columns: settings.tracking_columns ?? [],
    policies: settings.policies ?? [],
    relations: settings.relations ?? [],
    ...(settings.enricher ? { enricher: settings.enricher } : {}),
    version: model.version,
    created_at: model.created_at,
    ...(model.created_by ? { created_by: JSON.parse(model.created_by) } : {}),
    updated_at: model.updated_at,
    ...(model.updated_by ? { updated_by: JSON.parse(model.updated_by) } : {}),
  };
}

/**
 * A model as an update body that changes nothing: its field selection (the detected fields it keeps), its user-added
 * fields and settings. The selection belongs to the SQL: for a patch that brings a new `configuration` without
 * `fields`, it is left out, so every field of the new SQL is selected.
 */
export function modelToUpdateBody(model: Model, patch: unknown): Record<string, unknown> {
  const { labels, ...settings } = model.settings;
  const newSql = typeof patch === 'object' && patch !== null && 'configuration' in patch && !('fields' in patch);
  return {
    name: model.name,
    connection_id: model.connection_id,
    configuration: model.configuration,
    ...(model.identifier ? { identifier: model.identifier } : {}),
    ...(newSql ? {} : { fields: model.fields.filter((field) => !field.user_added).map((field) => field.id) }),
    additional_fields: model.fields
      .filter((field) => field.user_added)
      .map((field) => ({
        name: field.name,
        label: field.label,
        type: field.type,
        ...(field.example !== undefined ? { example: String(field.example) } : {}),
      })),
    ...(labels ? { labels } : {}),
    ...settings,
  };
}
