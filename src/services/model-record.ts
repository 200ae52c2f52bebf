// A stored model as the services use it: the row's JSON columns parsed once. The row keeps configuration, fields
// and settings as JSON text (migration 0009), because they are always read and written whole.
import type { ModelRow } from '../persistence/repositories/models-repository.ts';

/** What a model is built on: a SQL query, or a table id from GET /api/connections/{id}/modelsync/source. */
export type ModelConfiguration = { query: string; table?: undefined } | { table: string; query?: undefined };

/** The spec's ModelField. */
export interface ModelField {
  id: string;
  name: string;
  type: string;
  remote_type: string;
  label: string;
  unique: boolean;
  user_added: boolean;
  example?: unknown;
  description?: string;
  created_at: string;
  updated_at: string;
}

/** Stored and returned as given; Ferry does not act on them (no enrichers, no relation checks). */
export interface ModelSettings {
  labels?: string[];
  tracking_columns?: string[];
  policies?: string[];
  relations?: { from?: string; to?: { field?: string; model_id?: string } }[];
  enricher?: Record<string, unknown>;
}

export interface Model {
  id: string;
  organization_id: string;
  name: string;
  connection_id: string;
  /** The source connection's type id. */
  type: string;
  configuration: ModelConfiguration;
  identifier: string | null;
  fields: ModelField[];
  settings: ModelSettings;
  version: number;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  updated_by: string | null;
}

export function modelFromRow(row: ModelRow): Model {
  return {
    ...row,
    configuration: JSON.parse(row.configuration) as ModelConfiguration,
    fields: JSON.parse(row.fields) as ModelField[],
    settings: JSON.parse(row.settings) as ModelSettings,
  };
}
