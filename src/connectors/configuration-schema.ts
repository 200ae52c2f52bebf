// A connection type's configuration, described as JSON Schema (what the API serves at
// /api/connection_types/{id}) and checked by validateConfiguration. Only the flat subset the SQL
// connectors need is interpreted; unknown keywords are carried for the API but not enforced.

interface ConfigurationProperty {
  type: 'string' | 'integer' | 'number' | 'boolean';
  title?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  /** Secret values: stored encrypted and never echoed back by the API. */
  'x-sensitive'?: boolean;
  /** A URL whose userinfo and query values are secrets: the API shows it with those parts masked (`****`). */
  'x-sensitive-url'?: boolean;
}

export interface ConfigurationSchema {
  $schema?: string;
  type: 'object';
  properties: Record<string, ConfigurationProperty>;
  required: string[];
  additionalProperties?: boolean;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

function typeMatches(property: ConfigurationProperty, value: unknown): boolean {
  switch (property.type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
  }
}

/** Applies defaults and checks types and required keys; names the first offending field. */
export function validateConfiguration<T>(schema: ConfigurationSchema, raw: unknown): ValidationResult<T> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, field: '', message: 'configuration must be an object' };
  }
  const input = raw as Record<string, unknown>;
  const value: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    const given = input[key];
    if (given === undefined || given === null) {
      if (property.default !== undefined) value[key] = property.default;
      else if (schema.required.includes(key)) return { ok: false, field: key, message: `${key} is required` };
      continue;
    }
    if (!typeMatches(property, given)) {
      return { ok: false, field: key, message: `${key} must be a ${property.type}` };
    }
    if (property.type === 'string' && schema.required.includes(key) && (given as string).trim() === '') {
      return { ok: false, field: key, message: `${key} must not be empty` };
    }
    if (typeof given === 'number') {
      if (property.minimum !== undefined && given < property.minimum) {
        return { ok: false, field: key, message: `${key} must be at least ${property.minimum}` };
      }
      if (property.maximum !== undefined && given > property.maximum) {
        return { ok: false, field: key, message: `${key} must be at most ${property.maximum}` };
      }
    }
    value[key] = given;
  }
  if (schema.additionalProperties === false) {
    const extra = Object.keys(input).find((key) => !(key in schema.properties));
    if (extra !== undefined) return { ok: false, field: extra, message: `${extra} is not a known setting` };
  }
  return { ok: true, value: value as T };
}
